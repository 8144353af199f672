from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.identity_row import IdentityRow


T = TypeVar("T", bound="IdentityUpload")


@_attrs_define
class IdentityUpload:
    """An identities upload as JSON (the same rows may be sent as text/csv).

    Attributes:
        records (list[IdentityRow]):
    """

    records: list[IdentityRow]

    def to_dict(self) -> dict[str, Any]:
        records = []
        for records_item_data in self.records:
            records_item = records_item_data.to_dict()
            records.append(records_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "records": records,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.identity_row import IdentityRow

        d = dict(src_dict)
        records = []
        _records = d.pop("records")
        for records_item_data in _records:
            records_item = IdentityRow.from_dict(records_item_data)

            records.append(records_item)

        identity_upload = cls(
            records=records,
        )

        return identity_upload
