from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.month_measured_counts import MonthMeasuredCounts


T = TypeVar("T", bound="MonthMeasured")


@_attrs_define
class MonthMeasured:
    """
    Attributes:
        month (str):
        counts (MonthMeasuredCounts):
        met (list[str]):
    """

    month: str
    counts: MonthMeasuredCounts
    met: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        month = self.month

        counts = self.counts.to_dict()

        met = self.met

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "month": month,
                "counts": counts,
                "met": met,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.month_measured_counts import MonthMeasuredCounts

        d = dict(src_dict)
        month = d.pop("month")

        counts = MonthMeasuredCounts.from_dict(d.pop("counts"))

        met = cast(list[str], d.pop("met"))

        month_measured = cls(
            month=month,
            counts=counts,
            met=met,
        )

        month_measured.additional_properties = d
        return month_measured

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
