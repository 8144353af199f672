from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.decision_body_status import DecisionBodyStatus, check_decision_body_status
from ..types import UNSET, Unset

T = TypeVar("T", bound="DecisionBody")


@_attrs_define
class DecisionBody:
    """
    Attributes:
        pseudonym (str):
        status (DecisionBodyStatus):
        decided_on (datetime.date):
        scope (str | Unset):  Default: 'all'.
        evidence (None | str | Unset):
        notice_version (None | str | Unset):
    """

    pseudonym: str
    status: DecisionBodyStatus
    decided_on: datetime.date
    scope: str | Unset = "all"
    evidence: None | str | Unset = UNSET
    notice_version: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        pseudonym = self.pseudonym

        status: str = self.status

        decided_on = self.decided_on.isoformat()

        scope = self.scope

        evidence: None | str | Unset
        if isinstance(self.evidence, Unset):
            evidence = UNSET
        else:
            evidence = self.evidence

        notice_version: None | str | Unset
        if isinstance(self.notice_version, Unset):
            notice_version = UNSET
        else:
            notice_version = self.notice_version

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "pseudonym": pseudonym,
                "status": status,
                "decided_on": decided_on,
            }
        )
        if scope is not UNSET:
            field_dict["scope"] = scope
        if evidence is not UNSET:
            field_dict["evidence"] = evidence
        if notice_version is not UNSET:
            field_dict["notice_version"] = notice_version

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        pseudonym = d.pop("pseudonym")

        status = check_decision_body_status(d.pop("status"))

        decided_on = datetime.date.fromisoformat(d.pop("decided_on"))

        scope = d.pop("scope", UNSET)

        def _parse_evidence(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        evidence = _parse_evidence(d.pop("evidence", UNSET))

        def _parse_notice_version(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        notice_version = _parse_notice_version(d.pop("notice_version", UNSET))

        decision_body = cls(
            pseudonym=pseudonym,
            status=status,
            decided_on=decided_on,
            scope=scope,
            evidence=evidence,
            notice_version=notice_version,
        )

        return decision_body
