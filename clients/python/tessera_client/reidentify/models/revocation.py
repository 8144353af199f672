from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Revocation")


@_attrs_define
class Revocation:
    """
    Attributes:
        jti (str):
        revoked_at (datetime.datetime):
        reason (str):
        service (str):
    """

    jti: str
    revoked_at: datetime.datetime
    reason: str
    service: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        jti = self.jti

        revoked_at = self.revoked_at.isoformat()

        reason = self.reason

        service = self.service

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "jti": jti,
                "revoked_at": revoked_at,
                "reason": reason,
                "service": service,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        jti = d.pop("jti")

        revoked_at = datetime.datetime.fromisoformat(d.pop("revoked_at"))

        reason = d.pop("reason")

        service = d.pop("service")

        revocation = cls(
            jti=jti,
            revoked_at=revoked_at,
            reason=reason,
            service=service,
        )

        revocation.additional_properties = d
        return revocation

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
