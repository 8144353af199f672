from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.security_log_verification_problems_item import (
        SecurityLogVerificationProblemsItem,
    )


T = TypeVar("T", bound="SecurityLogVerification")


@_attrs_define
class SecurityLogVerification:
    """
    Attributes:
        service (str):
        valid (bool):
        entries (int):
        head_seq (int | None):
        signed_seq (int | None):
        problems (list[SecurityLogVerificationProblemsItem]):
        verified_at (datetime.datetime):
    """

    service: str
    valid: bool
    entries: int
    head_seq: int | None
    signed_seq: int | None
    problems: list[SecurityLogVerificationProblemsItem]
    verified_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        service = self.service

        valid = self.valid

        entries = self.entries

        head_seq: int | None
        head_seq = self.head_seq

        signed_seq: int | None
        signed_seq = self.signed_seq

        problems = []
        for problems_item_data in self.problems:
            problems_item = problems_item_data.to_dict()
            problems.append(problems_item)

        verified_at = self.verified_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "service": service,
                "valid": valid,
                "entries": entries,
                "head_seq": head_seq,
                "signed_seq": signed_seq,
                "problems": problems,
                "verified_at": verified_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.security_log_verification_problems_item import (
            SecurityLogVerificationProblemsItem,
        )

        d = dict(src_dict)
        service = d.pop("service")

        valid = d.pop("valid")

        entries = d.pop("entries")

        def _parse_head_seq(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        head_seq = _parse_head_seq(d.pop("head_seq"))

        def _parse_signed_seq(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        signed_seq = _parse_signed_seq(d.pop("signed_seq"))

        problems = []
        _problems = d.pop("problems")
        for problems_item_data in _problems:
            problems_item = SecurityLogVerificationProblemsItem.from_dict(
                problems_item_data
            )

            problems.append(problems_item)

        verified_at = datetime.datetime.fromisoformat(d.pop("verified_at"))

        security_log_verification = cls(
            service=service,
            valid=valid,
            entries=entries,
            head_seq=head_seq,
            signed_seq=signed_seq,
            problems=problems,
            verified_at=verified_at,
        )

        security_log_verification.additional_properties = d
        return security_log_verification

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
