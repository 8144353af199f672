from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DecisionOut")


@_attrs_define
class DecisionOut:
    """
    Attributes:
        decision_id (str):
        pseudonym (str):
        household (None | str):
        status (str):
        scope (str):
        evidence (None | str):
        notice_version (None | str):
        decided_on (datetime.date):
        recorded_at (datetime.datetime):
        source (str):
        effective (bool):
        agreement (None | str | Unset):
    """

    decision_id: str
    pseudonym: str
    household: None | str
    status: str
    scope: str
    evidence: None | str
    notice_version: None | str
    decided_on: datetime.date
    recorded_at: datetime.datetime
    source: str
    effective: bool
    agreement: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        decision_id = self.decision_id

        pseudonym = self.pseudonym

        household: None | str
        household = self.household

        status = self.status

        scope = self.scope

        evidence: None | str
        evidence = self.evidence

        notice_version: None | str
        notice_version = self.notice_version

        decided_on = self.decided_on.isoformat()

        recorded_at = self.recorded_at.isoformat()

        source = self.source

        effective = self.effective

        agreement: None | str | Unset
        if isinstance(self.agreement, Unset):
            agreement = UNSET
        else:
            agreement = self.agreement

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "decision_id": decision_id,
                "pseudonym": pseudonym,
                "household": household,
                "status": status,
                "scope": scope,
                "evidence": evidence,
                "notice_version": notice_version,
                "decided_on": decided_on,
                "recorded_at": recorded_at,
                "source": source,
                "effective": effective,
            }
        )
        if agreement is not UNSET:
            field_dict["agreement"] = agreement

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        decision_id = d.pop("decision_id")

        pseudonym = d.pop("pseudonym")

        def _parse_household(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        household = _parse_household(d.pop("household"))

        status = d.pop("status")

        scope = d.pop("scope")

        def _parse_evidence(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        evidence = _parse_evidence(d.pop("evidence"))

        def _parse_notice_version(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        notice_version = _parse_notice_version(d.pop("notice_version"))

        decided_on = datetime.date.fromisoformat(d.pop("decided_on"))

        recorded_at = datetime.datetime.fromisoformat(d.pop("recorded_at"))

        source = d.pop("source")

        effective = d.pop("effective")

        def _parse_agreement(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agreement = _parse_agreement(d.pop("agreement", UNSET))

        decision_out = cls(
            decision_id=decision_id,
            pseudonym=pseudonym,
            household=household,
            status=status,
            scope=scope,
            evidence=evidence,
            notice_version=notice_version,
            decided_on=decided_on,
            recorded_at=recorded_at,
            source=source,
            effective=effective,
            agreement=agreement,
        )

        decision_out.additional_properties = d
        return decision_out

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
