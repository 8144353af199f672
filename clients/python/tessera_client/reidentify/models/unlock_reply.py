from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.subject import Subject


T = TypeVar("T", bound="UnlockReply")


@_attrs_define
class UnlockReply:
    """The identities released (one for a person; each member for a household) and the
    access log entry that records the release.

        Attributes:
            subjects (list[Subject]):
            access_id (int):
    """

    subjects: list[Subject]
    access_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        subjects = []
        for subjects_item_data in self.subjects:
            subjects_item = subjects_item_data.to_dict()
            subjects.append(subjects_item)

        access_id = self.access_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subjects": subjects,
                "access_id": access_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.subject import Subject

        d = dict(src_dict)
        subjects = []
        _subjects = d.pop("subjects")
        for subjects_item_data in _subjects:
            subjects_item = Subject.from_dict(subjects_item_data)

            subjects.append(subjects_item)

        access_id = d.pop("access_id")

        unlock_reply = cls(
            subjects=subjects,
            access_id=access_id,
        )

        unlock_reply.additional_properties = d
        return unlock_reply

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
