from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MeasureCount")


@_attrs_define
class MeasureCount:
    """
    Attributes:
        measure (str):
        title (str):
        met (int):
        claimed (int):
    """

    measure: str
    title: str
    met: int
    claimed: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        measure = self.measure

        title = self.title

        met = self.met

        claimed = self.claimed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "measure": measure,
                "title": title,
                "met": met,
                "claimed": claimed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        measure = d.pop("measure")

        title = d.pop("title")

        met = d.pop("met")

        claimed = d.pop("claimed")

        measure_count = cls(
            measure=measure,
            title=title,
            met=met,
            claimed=claimed,
        )

        measure_count.additional_properties = d
        return measure_count

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
