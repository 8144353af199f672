from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.local_record import LocalRecord


T = TypeVar("T", bound="PartnerLookupReply")


@_attrs_define
class PartnerLookupReply:
    """
    Attributes:
        local_ids (list[LocalRecord]):
        access_id (int):
    """

    local_ids: list[LocalRecord]
    access_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        local_ids = []
        for local_ids_item_data in self.local_ids:
            local_ids_item = local_ids_item_data.to_dict()
            local_ids.append(local_ids_item)

        access_id = self.access_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "local_ids": local_ids,
                "access_id": access_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.local_record import LocalRecord

        d = dict(src_dict)
        local_ids = []
        _local_ids = d.pop("local_ids")
        for local_ids_item_data in _local_ids:
            local_ids_item = LocalRecord.from_dict(local_ids_item_data)

            local_ids.append(local_ids_item)

        access_id = d.pop("access_id")

        partner_lookup_reply = cls(
            local_ids=local_ids,
            access_id=access_id,
        )

        partner_lookup_reply.additional_properties = d
        return partner_lookup_reply

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
