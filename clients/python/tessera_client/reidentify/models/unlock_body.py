from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="UnlockBody")


@_attrs_define
class UnlockBody:
    """Whom to unlock (a pseudonym from a cohort), for which of the token's purposes, and
    why: the justification is kept in the access log.

        Attributes:
            pseudonym (str):
            purpose (str):
            justification (str):
    """

    pseudonym: str
    purpose: str
    justification: str

    def to_dict(self) -> dict[str, Any]:
        pseudonym = self.pseudonym

        purpose = self.purpose

        justification = self.justification

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "pseudonym": pseudonym,
                "purpose": purpose,
                "justification": justification,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        pseudonym = d.pop("pseudonym")

        purpose = d.pop("purpose")

        justification = d.pop("justification")

        unlock_body = cls(
            pseudonym=pseudonym,
            purpose=purpose,
            justification=justification,
        )

        return unlock_body
