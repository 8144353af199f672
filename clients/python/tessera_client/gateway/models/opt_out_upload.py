from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.opt_out_row import OptOutRow


T = TypeVar("T", bound="OptOutUpload")


@_attrs_define
class OptOutUpload:
    """An opt-outs upload as JSON (the same rows may be sent as text/csv).

    Attributes:
        records (list[OptOutRow]):
    """

    records: list[OptOutRow]

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
        from ..models.opt_out_row import OptOutRow

        d = dict(src_dict)
        records = []
        _records = d.pop("records")
        for records_item_data in _records:
            records_item = OptOutRow.from_dict(records_item_data)

            records.append(records_item)

        opt_out_upload = cls(
            records=records,
        )

        return opt_out_upload
