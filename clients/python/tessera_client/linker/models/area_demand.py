from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AreaDemand")


@_attrs_define
class AreaDemand:
    """
    Attributes:
        area (None | str):
        dataset (str):
        events (int | None):
        persons (int | None):
        suppressed (bool):
    """

    area: None | str
    dataset: str
    events: int | None
    persons: int | None
    suppressed: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        area: None | str
        area = self.area

        dataset = self.dataset

        events: int | None
        events = self.events

        persons: int | None
        persons = self.persons

        suppressed = self.suppressed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "area": area,
                "dataset": dataset,
                "events": events,
                "persons": persons,
                "suppressed": suppressed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_area(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        area = _parse_area(d.pop("area"))

        dataset = d.pop("dataset")

        def _parse_events(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        events = _parse_events(d.pop("events"))

        def _parse_persons(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        persons = _parse_persons(d.pop("persons"))

        suppressed = d.pop("suppressed")

        area_demand = cls(
            area=area,
            dataset=dataset,
            events=events,
            persons=persons,
            suppressed=suppressed,
        )

        area_demand.additional_properties = d
        return area_demand

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
