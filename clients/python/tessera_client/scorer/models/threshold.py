from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.area_count import AreaCount


T = TypeVar("T", bound="Threshold")


@_attrs_define
class Threshold:
    """
    Attributes:
        min_indicators (int):
        count (int | None):
        count_without_categories (int | None): selected at this threshold without the rule's other conditions
        areas (list[AreaCount]):
    """

    min_indicators: int
    count: int | None
    count_without_categories: int | None
    areas: list[AreaCount]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        min_indicators = self.min_indicators

        count: int | None
        count = self.count

        count_without_categories: int | None
        count_without_categories = self.count_without_categories

        areas = []
        for areas_item_data in self.areas:
            areas_item = areas_item_data.to_dict()
            areas.append(areas_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "min_indicators": min_indicators,
                "count": count,
                "count_without_categories": count_without_categories,
                "areas": areas,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.area_count import AreaCount

        d = dict(src_dict)
        min_indicators = d.pop("min_indicators")

        def _parse_count(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        count = _parse_count(d.pop("count"))

        def _parse_count_without_categories(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        count_without_categories = _parse_count_without_categories(
            d.pop("count_without_categories")
        )

        areas = []
        _areas = d.pop("areas")
        for areas_item_data in _areas:
            areas_item = AreaCount.from_dict(areas_item_data)

            areas.append(areas_item)

        threshold = cls(
            min_indicators=min_indicators,
            count=count,
            count_without_categories=count_without_categories,
            areas=areas,
        )

        threshold.additional_properties = d
        return threshold

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
