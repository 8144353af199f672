from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SubjectAccessRelease")


@_attrs_define
class SubjectAccessRelease:
    """What one slice holds about one person pseudonym, under the access-log entry that
    records the release; the members beyond these are the slice's own (its records,
    events, flags or decisions).

        Attributes:
            service (str):
            pseudonym (str):
            case (str):
            access_id (int):
    """

    service: str
    pseudonym: str
    case: str
    access_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        service = self.service

        pseudonym = self.pseudonym

        case = self.case

        access_id = self.access_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "service": service,
                "pseudonym": pseudonym,
                "case": case,
                "access_id": access_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        service = d.pop("service")

        pseudonym = d.pop("pseudonym")

        case = d.pop("case")

        access_id = d.pop("access_id")

        subject_access_release = cls(
            service=service,
            pseudonym=pseudonym,
            case=case,
            access_id=access_id,
        )

        subject_access_release.additional_properties = d
        return subject_access_release

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
