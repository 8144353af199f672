from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AccessLogEntry")


@_attrs_define
class AccessLogEntry:
    """
    Attributes:
        seq (int):
        at (datetime.datetime):
        sub (str):
        org (None | str):
        pseudonym (None | str):
        rule_id (None | str):
        purpose (None | str):
        justification (None | str):
        outcome (str):
        reason (None | str):
        prev_hash (str):
        hash_ (str):
        action (str | Unset):  Default: 'unlock'.
        ref (int | None | Unset): The entry this one follows up
        case_id (None | str | Unset):
        slice_ (None | str | Unset):
    """

    seq: int
    at: datetime.datetime
    sub: str
    org: None | str
    pseudonym: None | str
    rule_id: None | str
    purpose: None | str
    justification: None | str
    outcome: str
    reason: None | str
    prev_hash: str
    hash_: str
    action: str | Unset = "unlock"
    ref: int | None | Unset = UNSET
    case_id: None | str | Unset = UNSET
    slice_: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        seq = self.seq

        at = self.at.isoformat()

        sub = self.sub

        org: None | str
        org = self.org

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

        prev_hash = self.prev_hash

        hash_ = self.hash_

        action = self.action

        ref: int | None | Unset
        if isinstance(self.ref, Unset):
            ref = UNSET
        else:
            ref = self.ref

        case_id: None | str | Unset
        if isinstance(self.case_id, Unset):
            case_id = UNSET
        else:
            case_id = self.case_id

        slice_: None | str | Unset
        if isinstance(self.slice_, Unset):
            slice_ = UNSET
        else:
            slice_ = self.slice_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "seq": seq,
                "at": at,
                "sub": sub,
                "org": org,
                "pseudonym": pseudonym,
                "rule_id": rule_id,
                "purpose": purpose,
                "justification": justification,
                "outcome": outcome,
                "reason": reason,
                "prev_hash": prev_hash,
                "hash": hash_,
            }
        )
        if action is not UNSET:
            field_dict["action"] = action
        if ref is not UNSET:
            field_dict["ref"] = ref
        if case_id is not UNSET:
            field_dict["case_id"] = case_id
        if slice_ is not UNSET:
            field_dict["slice"] = slice_

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        seq = d.pop("seq")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        sub = d.pop("sub")

        def _parse_org(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        org = _parse_org(d.pop("org"))

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

        prev_hash = d.pop("prev_hash")

        hash_ = d.pop("hash")

        action = d.pop("action", UNSET)

        def _parse_ref(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        ref = _parse_ref(d.pop("ref", UNSET))

        def _parse_case_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        case_id = _parse_case_id(d.pop("case_id", UNSET))

        def _parse_slice_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        slice_ = _parse_slice_(d.pop("slice", UNSET))

        access_log_entry = cls(
            seq=seq,
            at=at,
            sub=sub,
            org=org,
            pseudonym=pseudonym,
            rule_id=rule_id,
            purpose=purpose,
            justification=justification,
            outcome=outcome,
            reason=reason,
            prev_hash=prev_hash,
            hash_=hash_,
            action=action,
            ref=ref,
            case_id=case_id,
            slice_=slice_,
        )

        access_log_entry.additional_properties = d
        return access_log_entry

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
