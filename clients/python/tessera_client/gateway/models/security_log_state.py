from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SecurityLogState")


@_attrs_define
class SecurityLogState:
    """
    Attributes:
        last_verified_at (datetime.datetime | None):
        valid (bool | None):
        failures_since_start (int):
        entries (int | None):
    """

    last_verified_at: datetime.datetime | None
    valid: bool | None
    failures_since_start: int
    entries: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        last_verified_at: None | str
        if isinstance(self.last_verified_at, datetime.datetime):
            last_verified_at = self.last_verified_at.isoformat()
        else:
            last_verified_at = self.last_verified_at

        valid: bool | None
        valid = self.valid

        failures_since_start = self.failures_since_start

        entries: int | None
        entries = self.entries

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "last_verified_at": last_verified_at,
                "valid": valid,
                "failures_since_start": failures_since_start,
                "entries": entries,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_last_verified_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_verified_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_verified_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_verified_at = _parse_last_verified_at(d.pop("last_verified_at"))

        def _parse_valid(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        valid = _parse_valid(d.pop("valid"))

        failures_since_start = d.pop("failures_since_start")

        def _parse_entries(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        entries = _parse_entries(d.pop("entries"))

        security_log_state = cls(
            last_verified_at=last_verified_at,
            valid=valid,
            failures_since_start=failures_since_start,
            entries=entries,
        )

        security_log_state.additional_properties = d
        return security_log_state

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
