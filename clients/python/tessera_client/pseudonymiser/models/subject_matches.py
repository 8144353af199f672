from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.subject_match import SubjectMatch


T = TypeVar("T", bound="SubjectMatches")


@_attrs_define
class SubjectMatches:
    """The person pseudonyms a subject access search found, under its access-log entry.

    Attributes:
        case (str):
        access_id (int):
        persons (list[SubjectMatch]):
    """

    case: str
    access_id: int
    persons: list[SubjectMatch]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        case = self.case

        access_id = self.access_id

        persons = []
        for persons_item_data in self.persons:
            persons_item = persons_item_data.to_dict()
            persons.append(persons_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "case": case,
                "access_id": access_id,
                "persons": persons,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.subject_match import SubjectMatch

        d = dict(src_dict)
        case = d.pop("case")

        access_id = d.pop("access_id")

        persons = []
        _persons = d.pop("persons")
        for persons_item_data in _persons:
            persons_item = SubjectMatch.from_dict(persons_item_data)

            persons.append(persons_item)

        subject_matches = cls(
            case=case,
            access_id=access_id,
            persons=persons,
        )

        subject_matches.additional_properties = d
        return subject_matches

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
