from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.code_spec_category import CodeSpecCategory, check_code_spec_category
from ..models.code_spec_headline_type_0 import (
    CodeSpecHeadlineType0,
    check_code_spec_headline_type_0,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="CodeSpec")


@_attrs_define
class CodeSpec:
    """What a code is: its category decides the Oldham rule's health / non-health
    condition, its headline the Troubled Families problem it evidences, its meaning what
    a person reading the code (a partner, a DPO answering a subject access request) needs.

        Attributes:
            category (CodeSpecCategory):
            headline (CodeSpecHeadlineType0 | None | Unset):
            meaning (None | str | Unset):
    """

    category: CodeSpecCategory
    headline: CodeSpecHeadlineType0 | None | Unset = UNSET
    meaning: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        category: str = self.category

        headline: None | str | Unset
        if isinstance(self.headline, Unset):
            headline = UNSET
        elif isinstance(self.headline, str):
            headline = self.headline
        else:
            headline = self.headline

        meaning: None | str | Unset
        if isinstance(self.meaning, Unset):
            meaning = UNSET
        else:
            meaning = self.meaning

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "category": category,
            }
        )
        if headline is not UNSET:
            field_dict["headline"] = headline
        if meaning is not UNSET:
            field_dict["meaning"] = meaning

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        category = check_code_spec_category(d.pop("category"))

        def _parse_headline(data: object) -> CodeSpecHeadlineType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                headline_type_0 = check_code_spec_headline_type_0(data)

                return headline_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CodeSpecHeadlineType0 | None | Unset, data)

        headline = _parse_headline(d.pop("headline", UNSET))

        def _parse_meaning(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        meaning = _parse_meaning(d.pop("meaning", UNSET))

        code_spec = cls(
            category=category,
            headline=headline,
            meaning=meaning,
        )

        return code_spec
