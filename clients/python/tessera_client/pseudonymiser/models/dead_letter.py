from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DeadLetter")


@_attrs_define
class DeadLetter:
    """Where a dead letter came from and why it was set aside, never its content.

    Attributes:
        seq (int):
        subject (None | str):
        stream_seq (int):
        deliveries (int):
        reason (None | str):
        bytes_ (int):
    """

    seq: int
    subject: None | str
    stream_seq: int
    deliveries: int
    reason: None | str
    bytes_: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        seq = self.seq

        subject: None | str
        subject = self.subject

        stream_seq = self.stream_seq

        deliveries = self.deliveries

        reason: None | str
        reason = self.reason

        bytes_ = self.bytes_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "seq": seq,
                "subject": subject,
                "stream_seq": stream_seq,
                "deliveries": deliveries,
                "reason": reason,
                "bytes": bytes_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        seq = d.pop("seq")

        def _parse_subject(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        subject = _parse_subject(d.pop("subject"))

        stream_seq = d.pop("stream_seq")

        deliveries = d.pop("deliveries")

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))

        bytes_ = d.pop("bytes")

        dead_letter = cls(
            seq=seq,
            subject=subject,
            stream_seq=stream_seq,
            deliveries=deliveries,
            reason=reason,
            bytes_=bytes_,
        )

        dead_letter.additional_properties = d
        return dead_letter

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
