from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.compliance_replica import ComplianceReplica
    from ..models.migration import Migration
    from ..models.security_log_state import SecurityLogState


T = TypeVar("T", bound="Compliance")


@_attrs_define
class Compliance:
    """
    Attributes:
        service (str):
        version (str):
        commit (str):
        environment (str):
        started_at (datetime.datetime):
        https (bool):
        nats_tls (bool):
        token_issuer (str):
        token_algorithms (list[str]):
        mfa_roles (list[str]):
        database (str):
        database_encrypted (bool):
        migration (Migration):
        last_retention_sweep (datetime.datetime | None):
        security_log (SecurityLogState):
        dead_letters (int | None):
        production_refusals (list[str]):
        replica (ComplianceReplica | Unset):
    """

    service: str
    version: str
    commit: str
    environment: str
    started_at: datetime.datetime
    https: bool
    nats_tls: bool
    token_issuer: str
    token_algorithms: list[str]
    mfa_roles: list[str]
    database: str
    database_encrypted: bool
    migration: Migration
    last_retention_sweep: datetime.datetime | None
    security_log: SecurityLogState
    dead_letters: int | None
    production_refusals: list[str]
    replica: ComplianceReplica | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        service = self.service

        version = self.version

        commit = self.commit

        environment = self.environment

        started_at = self.started_at.isoformat()

        https = self.https

        nats_tls = self.nats_tls

        token_issuer = self.token_issuer

        token_algorithms = self.token_algorithms

        mfa_roles = self.mfa_roles

        database = self.database

        database_encrypted = self.database_encrypted

        migration = self.migration.to_dict()

        last_retention_sweep: None | str
        if isinstance(self.last_retention_sweep, datetime.datetime):
            last_retention_sweep = self.last_retention_sweep.isoformat()
        else:
            last_retention_sweep = self.last_retention_sweep

        security_log = self.security_log.to_dict()

        dead_letters: int | None
        dead_letters = self.dead_letters

        production_refusals = self.production_refusals

        replica: dict[str, Any] | Unset = UNSET
        if not isinstance(self.replica, Unset):
            replica = self.replica.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "service": service,
                "version": version,
                "commit": commit,
                "environment": environment,
                "started_at": started_at,
                "https": https,
                "nats_tls": nats_tls,
                "token_issuer": token_issuer,
                "token_algorithms": token_algorithms,
                "mfa_roles": mfa_roles,
                "database": database,
                "database_encrypted": database_encrypted,
                "migration": migration,
                "last_retention_sweep": last_retention_sweep,
                "security_log": security_log,
                "dead_letters": dead_letters,
                "production_refusals": production_refusals,
            }
        )
        if replica is not UNSET:
            field_dict["replica"] = replica

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.compliance_replica import ComplianceReplica
        from ..models.migration import Migration
        from ..models.security_log_state import SecurityLogState

        d = dict(src_dict)
        service = d.pop("service")

        version = d.pop("version")

        commit = d.pop("commit")

        environment = d.pop("environment")

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        https = d.pop("https")

        nats_tls = d.pop("nats_tls")

        token_issuer = d.pop("token_issuer")

        token_algorithms = cast(list[str], d.pop("token_algorithms"))

        mfa_roles = cast(list[str], d.pop("mfa_roles"))

        database = d.pop("database")

        database_encrypted = d.pop("database_encrypted")

        migration = Migration.from_dict(d.pop("migration"))

        def _parse_last_retention_sweep(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_retention_sweep_type_0 = datetime.datetime.fromisoformat(data)

                return last_retention_sweep_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_retention_sweep = _parse_last_retention_sweep(
            d.pop("last_retention_sweep")
        )

        security_log = SecurityLogState.from_dict(d.pop("security_log"))

        def _parse_dead_letters(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        dead_letters = _parse_dead_letters(d.pop("dead_letters"))

        production_refusals = cast(list[str], d.pop("production_refusals"))

        _replica = d.pop("replica", UNSET)
        replica: ComplianceReplica | Unset
        if isinstance(_replica, Unset):
            replica = UNSET
        else:
            replica = ComplianceReplica.from_dict(_replica)

        compliance = cls(
            service=service,
            version=version,
            commit=commit,
            environment=environment,
            started_at=started_at,
            https=https,
            nats_tls=nats_tls,
            token_issuer=token_issuer,
            token_algorithms=token_algorithms,
            mfa_roles=mfa_roles,
            database=database,
            database_encrypted=database_encrypted,
            migration=migration,
            last_retention_sweep=last_retention_sweep,
            security_log=security_log,
            dead_letters=dead_letters,
            production_refusals=production_refusals,
            replica=replica,
        )

        compliance.additional_properties = d
        return compliance

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
