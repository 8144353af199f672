from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="OwnUnlock")


@_attrs_define
class OwnUnlock:
    """One of the caller's own unlock attempts and what became of it: the outcome and
    reason of the entry that followed it up, if one did, as the caller was told them.

        Attributes:
            access_id (int):
            at (datetime.datetime):
            pseudonym (None | str):
            rule_id (None | str):
            purpose (None | str):
            justification (None | str):
            outcome (str): allowed (the identity was released), refused or error
            reason (None | str):
            follow_up (int | None | Unset): The entry saying that an allowed unlock then released nothing
    """

    access_id: int
    at: datetime.datetime
    pseudonym: None | str
    rule_id: None | str
    purpose: None | str
    justification: None | str
    outcome: str
    reason: None | str
    follow_up: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_id = self.access_id

        at = self.at.isoformat()

        pseudonym: None | str
        pseudonym = self.pseudonym

        rule_id: None | str
        rule_id = self.rule_id

        purpose: None | str
        purpose = self.purpose

        justification: None | str
        justification = self.justification

        outcome = self.outcome

        reason: None | str
        reason = self.reason

        follow_up: int | None | Unset
        if isinstance(self.follow_up, Unset):
            follow_up = UNSET
        else:
            follow_up = self.follow_up

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "access_id": access_id,
                "at": at,
                "pseudonym": pseudonym,
                "rule_id": rule_id,
                "purpose": purpose,
                "justification": justification,
                "outcome": outcome,
                "reason": reason,
            }
        )
        if follow_up is not UNSET:
            field_dict["follow_up"] = follow_up

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        access_id = d.pop("access_id")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        def _parse_pseudonym(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        pseudonym = _parse_pseudonym(d.pop("pseudonym"))

        def _parse_rule_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        rule_id = _parse_rule_id(d.pop("rule_id"))

        def _parse_purpose(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        purpose = _parse_purpose(d.pop("purpose"))

        def _parse_justification(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        justification = _parse_justification(d.pop("justification"))

        outcome = d.pop("outcome")

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))

        def _parse_follow_up(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        follow_up = _parse_follow_up(d.pop("follow_up", UNSET))

        own_unlock = cls(
            access_id=access_id,
            at=at,
            pseudonym=pseudonym,
            rule_id=rule_id,
            purpose=purpose,
            justification=justification,
            outcome=outcome,
            reason=reason,
            follow_up=follow_up,
        )

        own_unlock.additional_properties = d
        return own_unlock

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
