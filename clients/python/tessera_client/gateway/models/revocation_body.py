from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="RevocationBody")


@_attrs_define
class RevocationBody:
    """
    Attributes:
        jti (str):
        reason (str):
    """

    jti: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        jti = self.jti

        reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "jti": jti,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        jti = d.pop("jti")

        reason = d.pop("reason")

        revocation_body = cls(
            jti=jti,
            reason=reason,
        )

        return revocation_body
