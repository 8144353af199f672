from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.security_event_kind import SecurityEventKind, check_security_event_kind
from ..models.security_event_outcome import (
    SecurityEventOutcome,
    check_security_event_outcome,
)

T = TypeVar("T", bound="SecurityEvent")


@_attrs_define
class SecurityEvent:
    """
    Attributes:
        seq (int):
        at (datetime.datetime):
        kind (SecurityEventKind):
        outcome (SecurityEventOutcome):
        sub (None | str):
        roles (None | str):
        partner (None | str):
        agreement (None | str):
        action (str):
        target (None | str):
        status (int | None):
        detail (None | str):
        hash_ (str):
    """

    seq: int
    at: datetime.datetime
    kind: SecurityEventKind
    outcome: SecurityEventOutcome
    sub: None | str
    roles: None | str
    partner: None | str
    agreement: None | str
    action: str
    target: None | str
    status: int | None
    detail: None | str
    hash_: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        seq = self.seq

        at = self.at.isoformat()

        kind: str = self.kind

        outcome: str = self.outcome

        sub: None | str
        sub = self.sub

        roles: None | str
        roles = self.roles

        partner: None | str
        partner = self.partner

        agreement: None | str
        agreement = self.agreement

        action = self.action

        target: None | str
        target = self.target

        status: int | None
        status = self.status

        detail: None | str
        detail = self.detail

        hash_ = self.hash_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "seq": seq,
                "at": at,
                "kind": kind,
                "outcome": outcome,
                "sub": sub,
                "roles": roles,
                "partner": partner,
                "agreement": agreement,
                "action": action,
                "target": target,
                "status": status,
                "detail": detail,
                "hash": hash_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        seq = d.pop("seq")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        kind = check_security_event_kind(d.pop("kind"))

        outcome = check_security_event_outcome(d.pop("outcome"))

        def _parse_sub(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sub = _parse_sub(d.pop("sub"))

        def _parse_roles(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        roles = _parse_roles(d.pop("roles"))

        def _parse_partner(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        partner = _parse_partner(d.pop("partner"))

        def _parse_agreement(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        agreement = _parse_agreement(d.pop("agreement"))

        action = d.pop("action")

        def _parse_target(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        target = _parse_target(d.pop("target"))

        def _parse_status(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        status = _parse_status(d.pop("status"))

        def _parse_detail(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        detail = _parse_detail(d.pop("detail"))

        hash_ = d.pop("hash")

        security_event = cls(
            seq=seq,
            at=at,
            kind=kind,
            outcome=outcome,
            sub=sub,
            roles=roles,
            partner=partner,
            agreement=agreement,
            action=action,
            target=target,
            status=status,
            detail=detail,
            hash_=hash_,
        )

        security_event.additional_properties = d
        return security_event

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
