from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.group_series import GroupSeries


T = TypeVar("T", bound="AreaSeries")


@_attrs_define
class AreaSeries:
    """
    Attributes:
        area (str): The area's code ('all': the whole council).
        name (None | str):
        population (int | None): Residents, from the council's denominators.
        groups (list[GroupSeries]):
    """

    area: str
    name: None | str
    population: int | None
    groups: list[GroupSeries]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        area = self.area

        name: None | str
        name = self.name

        population: int | None
        population = self.population

        groups = []
        for groups_item_data in self.groups:
            groups_item = groups_item_data.to_dict()
            groups.append(groups_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "area": area,
                "name": name,
                "population": population,
                "groups": groups,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.group_series import GroupSeries

        d = dict(src_dict)
        area = d.pop("area")

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        def _parse_population(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        population = _parse_population(d.pop("population"))

        groups = []
        _groups = d.pop("groups")
        for groups_item_data in _groups:
            groups_item = GroupSeries.from_dict(groups_item_data)

            groups.append(groups_item)

        area_series = cls(
            area=area,
            name=name,
            population=population,
            groups=groups,
        )

        area_series.additional_properties = d
        return area_series

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
