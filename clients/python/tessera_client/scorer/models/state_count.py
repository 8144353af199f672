from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="StateCount")


@_attrs_define
class StateCount:
    """
    Attributes:
        identified (int):
        attached (int):
        in_progress (int):
        claim_pending (int):
        claimed (int):
        closed (int):
    """

    identified: int
    attached: int
    in_progress: int
    claim_pending: int
    claimed: int
    closed: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        identified = self.identified

        attached = self.attached

        in_progress = self.in_progress

        claim_pending = self.claim_pending

        claimed = self.claimed

        closed = self.closed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "identified": identified,
                "attached": attached,
                "in_progress": in_progress,
                "claim_pending": claim_pending,
                "claimed": claimed,
                "closed": closed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        identified = d.pop("identified")

        attached = d.pop("attached")

        in_progress = d.pop("in_progress")

        claim_pending = d.pop("claim_pending")

        claimed = d.pop("claimed")

        closed = d.pop("closed")

        state_count = cls(
            identified=identified,
            attached=attached,
            in_progress=in_progress,
            claim_pending=claim_pending,
            claimed=claimed,
            closed=closed,
        )

        state_count.additional_properties = d
        return state_count

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
