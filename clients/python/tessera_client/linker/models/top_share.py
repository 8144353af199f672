from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TopShare")


@_attrs_define
class TopShare:
    """
    Attributes:
        residents_percent (float): x: the x% of residents with most demand.
        demand_share (float | None): y: their share of all demand; null when fewer than k residents with demand would be
            described.
    """

    residents_percent: float
    demand_share: float | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        residents_percent = self.residents_percent

        demand_share: float | None
        demand_share = self.demand_share

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "residents_percent": residents_percent,
                "demand_share": demand_share,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        residents_percent = d.pop("residents_percent")

        def _parse_demand_share(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        demand_share = _parse_demand_share(d.pop("demand_share"))

        top_share = cls(
            residents_percent=residents_percent,
            demand_share=demand_share,
        )

        top_share.additional_properties = d
        return top_share

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
