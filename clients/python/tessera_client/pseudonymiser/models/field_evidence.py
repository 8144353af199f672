from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="FieldEvidence")


@_attrs_define
class FieldEvidence:
    """
    Attributes:
        comparison (str): The model's comparison (given_name, dob, ...)
        level (str): How the two records compare on it
        match_weight (float): log2(m/u) of that level: above 0 counts for a match, below against; 0 where a value is
            missing
    """

    comparison: str
    level: str
    match_weight: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        comparison = self.comparison

        level = self.level

        match_weight = self.match_weight

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "comparison": comparison,
                "level": level,
                "match_weight": match_weight,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        comparison = d.pop("comparison")

        level = d.pop("level")

        match_weight = d.pop("match_weight")

        field_evidence = cls(
            comparison=comparison,
            level=level,
            match_weight=match_weight,
        )

        field_evidence.additional_properties = d
        return field_evidence

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
