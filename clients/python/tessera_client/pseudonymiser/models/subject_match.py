from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SubjectMatch")


@_attrs_define
class SubjectMatch:
    """
    Attributes:
        pseudonym (str):
        matching_records (int):
    """

    pseudonym: str
    matching_records: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pseudonym = self.pseudonym

        matching_records = self.matching_records

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "pseudonym": pseudonym,
                "matching_records": matching_records,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        pseudonym = d.pop("pseudonym")

        matching_records = d.pop("matching_records")

        subject_match = cls(
            pseudonym=pseudonym,
            matching_records=matching_records,
        )

        subject_match.additional_properties = d
        return subject_match

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
