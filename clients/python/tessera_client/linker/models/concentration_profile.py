from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.area_concentration import AreaConcentration
    from ..models.disclosure_note import DisclosureNote


T = TypeVar("T", bound="ConcentrationProfile")


@_attrs_define
class ConcentrationProfile:
    """
    Attributes:
        level (str):
        areas (list[AreaConcentration]):
        overall (AreaConcentration):
        disclosure (DisclosureNote): What was done to the counts of one response, so that a reader can tell a hidden
            count
            from a missing one (SATRE 3.3.09: the criteria travel with the output).
    """

    level: str
    areas: list[AreaConcentration]
    overall: AreaConcentration
    disclosure: DisclosureNote
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        level = self.level

        areas = []
        for areas_item_data in self.areas:
            areas_item = areas_item_data.to_dict()
            areas.append(areas_item)

        overall = self.overall.to_dict()

        disclosure = self.disclosure.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "level": level,
                "areas": areas,
                "overall": overall,
                "disclosure": disclosure,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.area_concentration import AreaConcentration
        from ..models.disclosure_note import DisclosureNote

        d = dict(src_dict)
        level = d.pop("level")

        areas = []
        _areas = d.pop("areas")
        for areas_item_data in _areas:
            areas_item = AreaConcentration.from_dict(areas_item_data)

            areas.append(areas_item)

        overall = AreaConcentration.from_dict(d.pop("overall"))

        disclosure = DisclosureNote.from_dict(d.pop("disclosure"))

        concentration_profile = cls(
            level=level,
            areas=areas,
            overall=overall,
            disclosure=disclosure,
        )

        concentration_profile.additional_properties = d
        return concentration_profile

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
