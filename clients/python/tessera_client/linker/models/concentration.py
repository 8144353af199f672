from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Concentration")


@_attrs_define
class Concentration:
    """
    Attributes:
        persons (int | None):
        events (int | None):
        top_1_percent (float | None):
        top_5_percent (float | None):
        top_10_percent (float | None):
        suppressed (bool):
    """

    persons: int | None
    events: int | None
    top_1_percent: float | None
    top_5_percent: float | None
    top_10_percent: float | None
    suppressed: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        persons: int | None
        persons = self.persons

        events: int | None
        events = self.events

        top_1_percent: float | None
        top_1_percent = self.top_1_percent

        top_5_percent: float | None
        top_5_percent = self.top_5_percent

        top_10_percent: float | None
        top_10_percent = self.top_10_percent

        suppressed = self.suppressed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "persons": persons,
                "events": events,
                "top_1_percent": top_1_percent,
                "top_5_percent": top_5_percent,
                "top_10_percent": top_10_percent,
                "suppressed": suppressed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_persons(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        persons = _parse_persons(d.pop("persons"))

        def _parse_events(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        events = _parse_events(d.pop("events"))

        def _parse_top_1_percent(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        top_1_percent = _parse_top_1_percent(d.pop("top_1_percent"))

        def _parse_top_5_percent(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        top_5_percent = _parse_top_5_percent(d.pop("top_5_percent"))

        def _parse_top_10_percent(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        top_10_percent = _parse_top_10_percent(d.pop("top_10_percent"))

        suppressed = d.pop("suppressed")

        concentration = cls(
            persons=persons,
            events=events,
            top_1_percent=top_1_percent,
            top_5_percent=top_5_percent,
            top_10_percent=top_10_percent,
            suppressed=suppressed,
        )

        concentration.additional_properties = d
        return concentration

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
