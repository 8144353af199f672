from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CodeOut")


@_attrs_define
class CodeOut:
    """
    Attributes:
        code (str):
        category (str):
        headline (None | str | Unset):
        meaning (None | str | Unset):
        retired_on (datetime.date | None | Unset):
    """

    code: str
    category: str
    headline: None | str | Unset = UNSET
    meaning: None | str | Unset = UNSET
    retired_on: datetime.date | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        category = self.category

        headline: None | str | Unset
        if isinstance(self.headline, Unset):
            headline = UNSET
        else:
            headline = self.headline

        meaning: None | str | Unset
        if isinstance(self.meaning, Unset):
            meaning = UNSET
        else:
            meaning = self.meaning

        retired_on: None | str | Unset
        if isinstance(self.retired_on, Unset):
            retired_on = UNSET
        elif isinstance(self.retired_on, datetime.date):
            retired_on = self.retired_on.isoformat()
        else:
            retired_on = self.retired_on

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "category": category,
            }
        )
        if headline is not UNSET:
            field_dict["headline"] = headline
        if meaning is not UNSET:
            field_dict["meaning"] = meaning
        if retired_on is not UNSET:
            field_dict["retired_on"] = retired_on

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        code = d.pop("code")

        category = d.pop("category")

        def _parse_headline(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        headline = _parse_headline(d.pop("headline", UNSET))

        def _parse_meaning(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        meaning = _parse_meaning(d.pop("meaning", UNSET))

        def _parse_retired_on(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                retired_on_type_0 = datetime.date.fromisoformat(data)

                return retired_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        retired_on = _parse_retired_on(d.pop("retired_on", UNSET))

        code_out = cls(
            code=code,
            category=category,
            headline=headline,
            meaning=meaning,
            retired_on=retired_on,
        )

        code_out.additional_properties = d
        return code_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
