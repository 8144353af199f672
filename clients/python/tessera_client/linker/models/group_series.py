from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GroupSeries")


@_attrs_define
class GroupSeries:
    """
    Attributes:
        group (str): 'all', a category or a headline problem.
        months (list[int | None]): Events in each month asked for; null where hidden.
        events (int | None): Events over the months: their sum, null when any month is hidden.
        per_1000_residents (float | None): Events over the months per 1,000 residents.
    """

    group: str
    months: list[int | None]
    events: int | None
    per_1000_residents: float | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        group = self.group

        months = []
        for months_item_data in self.months:
            months_item: int | None
            months_item = months_item_data
            months.append(months_item)

        events: int | None
        events = self.events

        per_1000_residents: float | None
        per_1000_residents = self.per_1000_residents

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "group": group,
                "months": months,
                "events": events,
                "per_1000_residents": per_1000_residents,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        group = d.pop("group")

        months = []
        _months = d.pop("months")
        for months_item_data in _months:

            def _parse_months_item(data: object) -> int | None:
                if data is None:
                    return data
                return cast(int | None, data)

            months_item = _parse_months_item(months_item_data)

            months.append(months_item)

        def _parse_events(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        events = _parse_events(d.pop("events"))

        def _parse_per_1000_residents(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        per_1000_residents = _parse_per_1000_residents(d.pop("per_1000_residents"))

        group_series = cls(
            group=group,
            months=months,
            events=events,
            per_1000_residents=per_1000_residents,
        )

        group_series.additional_properties = d
        return group_series

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
