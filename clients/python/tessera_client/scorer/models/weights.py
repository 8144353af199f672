from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Weights")


@_attrs_define
class Weights:
    """
    Attributes:
        indicator (float | Unset):  Default: 1.0.
        health (float | Unset):  Default: 0.0.
        non_health (float | Unset):  Default: 0.0.
        headline (float | Unset):  Default: 0.0.
    """

    indicator: float | Unset = 1.0
    health: float | Unset = 0.0
    non_health: float | Unset = 0.0
    headline: float | Unset = 0.0

    def to_dict(self) -> dict[str, Any]:
        indicator = self.indicator

        health = self.health

        non_health = self.non_health

        headline = self.headline

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if indicator is not UNSET:
            field_dict["indicator"] = indicator
        if health is not UNSET:
            field_dict["health"] = health
        if non_health is not UNSET:
            field_dict["non_health"] = non_health
        if headline is not UNSET:
            field_dict["headline"] = headline

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        indicator = d.pop("indicator", UNSET)

        health = d.pop("health", UNSET)

        non_health = d.pop("non_health", UNSET)

        headline = d.pop("headline", UNSET)

        weights = cls(
            indicator=indicator,
            health=health,
            non_health=non_health,
            headline=headline,
        )

        return weights
