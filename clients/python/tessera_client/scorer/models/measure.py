from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.measure_headline_type_0 import (
    MeasureHeadlineType0,
    check_measure_headline_type_0,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="Measure")


@_attrs_define
class Measure:
    """One outcome, as the programme defines 'significant and sustained progress'.

    Attributes:
        id (str):
        title (str):
        headline (MeasureHeadlineType0 | None | Unset): The headline problem this is progress against (for reports)
        none (list[str] | Unset): No event of these codes in the period
        every_month (list[str] | Unset): An event of one of these codes in each month of the period
        had (list[str] | None | Unset): Measured only for families with one of these codes in the 12 months before
            identification; default the `none` codes
        sustained_for (str | Unset): The period, whole months (ISO 8601) Default: 'P6M'.
    """

    id: str
    title: str
    headline: MeasureHeadlineType0 | None | Unset = UNSET
    none: list[str] | Unset = UNSET
    every_month: list[str] | Unset = UNSET
    had: list[str] | None | Unset = UNSET
    sustained_for: str | Unset = "P6M"

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        title = self.title

        headline: None | str | Unset
        if isinstance(self.headline, Unset):
            headline = UNSET
        elif isinstance(self.headline, str):
            headline = self.headline
        else:
            headline = self.headline

        none: list[str] | Unset = UNSET
        if not isinstance(self.none, Unset):
            none = self.none

        every_month: list[str] | Unset = UNSET
        if not isinstance(self.every_month, Unset):
            every_month = self.every_month

        had: list[str] | None | Unset
        if isinstance(self.had, Unset):
            had = UNSET
        elif isinstance(self.had, list):
            had = self.had

        else:
            had = self.had

        sustained_for = self.sustained_for

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "title": title,
            }
        )
        if headline is not UNSET:
            field_dict["headline"] = headline
        if none is not UNSET:
            field_dict["none"] = none
        if every_month is not UNSET:
            field_dict["every_month"] = every_month
        if had is not UNSET:
            field_dict["had"] = had
        if sustained_for is not UNSET:
            field_dict["sustained_for"] = sustained_for

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        title = d.pop("title")

        def _parse_headline(data: object) -> MeasureHeadlineType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                headline_type_0 = check_measure_headline_type_0(data)

                return headline_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MeasureHeadlineType0 | None | Unset, data)

        headline = _parse_headline(d.pop("headline", UNSET))

        none = cast(list[str], d.pop("none", UNSET))

        every_month = cast(list[str], d.pop("every_month", UNSET))

        def _parse_had(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                had_type_0 = cast(list[str], data)

                return had_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        had = _parse_had(d.pop("had", UNSET))

        sustained_for = d.pop("sustained_for", UNSET)

        measure = cls(
            id=id,
            title=title,
            headline=headline,
            none=none,
            every_month=every_month,
            had=had,
            sustained_for=sustained_for,
        )

        return measure
