from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Conditions")


@_attrs_define
class Conditions:
    """
    Attributes:
        min_indicators (int | Unset):  Default: 1.
        min_health (int | Unset):  Default: 0.
        min_non_health (int | Unset):  Default: 0.
        min_headlines (int | Unset):  Default: 0.
    """

    min_indicators: int | Unset = 1
    min_health: int | Unset = 0
    min_non_health: int | Unset = 0
    min_headlines: int | Unset = 0

    def to_dict(self) -> dict[str, Any]:
        min_indicators = self.min_indicators

        min_health = self.min_health

        min_non_health = self.min_non_health

        min_headlines = self.min_headlines

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if min_indicators is not UNSET:
            field_dict["min_indicators"] = min_indicators
        if min_health is not UNSET:
            field_dict["min_health"] = min_health
        if min_non_health is not UNSET:
            field_dict["min_non_health"] = min_non_health
        if min_headlines is not UNSET:
            field_dict["min_headlines"] = min_headlines

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        min_indicators = d.pop("min_indicators", UNSET)

        min_health = d.pop("min_health", UNSET)

        min_non_health = d.pop("min_non_health", UNSET)

        min_headlines = d.pop("min_headlines", UNSET)

        conditions = cls(
            min_indicators=min_indicators,
            min_health=min_health,
            min_non_health=min_non_health,
            min_headlines=min_headlines,
        )

        return conditions
