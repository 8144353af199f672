from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.batch_status_status import BatchStatusStatus, check_batch_status_status

T = TypeVar("T", bound="BatchStatus")


@_attrs_define
class BatchStatus:
    """
    Attributes:
        batch_id (str):
        status (BatchStatusStatus):
        accepted (int):
        processed (int):
        rejected (int):
    """

    batch_id: str
    status: BatchStatusStatus
    accepted: int
    processed: int
    rejected: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        batch_id = self.batch_id

        status: str = self.status

        accepted = self.accepted

        processed = self.processed

        rejected = self.rejected

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "batch_id": batch_id,
                "status": status,
                "accepted": accepted,
                "processed": processed,
                "rejected": rejected,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        batch_id = d.pop("batch_id")

        status = check_batch_status_status(d.pop("status"))

        accepted = d.pop("accepted")

        processed = d.pop("processed")

        rejected = d.pop("rejected")

        batch_status = cls(
            batch_id=batch_id,
            status=status,
            accepted=accepted,
            processed=processed,
            rejected=rejected,
        )

        batch_status.additional_properties = d
        return batch_status

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
