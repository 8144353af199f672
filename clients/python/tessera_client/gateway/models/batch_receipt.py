from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.rejected_row import RejectedRow


T = TypeVar("T", bound="BatchReceipt")


@_attrs_define
class BatchReceipt:
    """What an upload was answered with: rows accepted, and each rejected row by its
    index and field (never the value sent).

        Attributes:
            batch_id (str):
            accepted (int):
            rejected (list[RejectedRow]):
    """

    batch_id: str
    accepted: int
    rejected: list[RejectedRow]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        batch_id = self.batch_id

        accepted = self.accepted

        rejected = []
        for rejected_item_data in self.rejected:
            rejected_item = rejected_item_data.to_dict()
            rejected.append(rejected_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "batch_id": batch_id,
                "accepted": accepted,
                "rejected": rejected,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.rejected_row import RejectedRow

        d = dict(src_dict)
        batch_id = d.pop("batch_id")

        accepted = d.pop("accepted")

        rejected = []
        _rejected = d.pop("rejected")
        for rejected_item_data in _rejected:
            rejected_item = RejectedRow.from_dict(rejected_item_data)

            rejected.append(rejected_item)

        batch_receipt = cls(
            batch_id=batch_id,
            accepted=accepted,
            rejected=rejected,
        )

        batch_receipt.additional_properties = d
        return batch_receipt

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
