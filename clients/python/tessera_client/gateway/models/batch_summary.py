from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.batch_summary_kind import BatchSummaryKind, check_batch_summary_kind
from ..models.batch_summary_status import BatchSummaryStatus, check_batch_summary_status

T = TypeVar("T", bound="BatchSummary")


@_attrs_define
class BatchSummary:
    """
    Attributes:
        batch_id (str):
        status (BatchSummaryStatus):
        accepted (int):
        processed (int):
        rejected (int):
        dataset (str):
        kind (BatchSummaryKind):
        received_at (datetime.datetime):
    """

    batch_id: str
    status: BatchSummaryStatus
    accepted: int
    processed: int
    rejected: int
    dataset: str
    kind: BatchSummaryKind
    received_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        batch_id = self.batch_id

        status: str = self.status

        accepted = self.accepted

        processed = self.processed

        rejected = self.rejected

        dataset = self.dataset

        kind: str = self.kind

        received_at = self.received_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "batch_id": batch_id,
                "status": status,
                "accepted": accepted,
                "processed": processed,
                "rejected": rejected,
                "dataset": dataset,
                "kind": kind,
                "received_at": received_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        batch_id = d.pop("batch_id")

        status = check_batch_summary_status(d.pop("status"))

        accepted = d.pop("accepted")

        processed = d.pop("processed")

        rejected = d.pop("rejected")

        dataset = d.pop("dataset")

        kind = check_batch_summary_kind(d.pop("kind"))

        received_at = datetime.datetime.fromisoformat(d.pop("received_at"))

        batch_summary = cls(
            batch_id=batch_id,
            status=status,
            accepted=accepted,
            processed=processed,
            rejected=rejected,
            dataset=dataset,
            kind=kind,
            received_at=received_at,
        )

        batch_summary.additional_properties = d
        return batch_summary

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
