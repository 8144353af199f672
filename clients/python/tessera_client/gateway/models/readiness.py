from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.readiness_status import ReadinessStatus, check_readiness_status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.readiness_checks import ReadinessChecks
    from ..models.readiness_waiting_for import ReadinessWaitingFor


T = TypeVar("T", bound="Readiness")


@_attrs_define
class Readiness:
    """Whether the service is ready, each check by name, and why each failing one fails;
    a slice that elects a writer adds this replica's role and who writes.

        Attributes:
            status (ReadinessStatus):
            checks (ReadinessChecks):
            waiting_for (ReadinessWaitingFor | Unset): each failing check and what it waits for (503 only)
    """

    status: ReadinessStatus
    checks: ReadinessChecks
    waiting_for: ReadinessWaitingFor | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status: str = self.status

        checks = self.checks.to_dict()

        waiting_for: dict[str, Any] | Unset = UNSET
        if not isinstance(self.waiting_for, Unset):
            waiting_for = self.waiting_for.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
                "checks": checks,
            }
        )
        if waiting_for is not UNSET:
            field_dict["waiting_for"] = waiting_for

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.readiness_checks import ReadinessChecks
        from ..models.readiness_waiting_for import ReadinessWaitingFor

        d = dict(src_dict)
        status = check_readiness_status(d.pop("status"))

        checks = ReadinessChecks.from_dict(d.pop("checks"))

        _waiting_for = d.pop("waiting_for", UNSET)
        waiting_for: ReadinessWaitingFor | Unset
        if isinstance(_waiting_for, Unset):
            waiting_for = UNSET
        else:
            waiting_for = ReadinessWaitingFor.from_dict(_waiting_for)

        readiness = cls(
            status=status,
            checks=checks,
            waiting_for=waiting_for,
        )

        readiness.additional_properties = d
        return readiness

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
