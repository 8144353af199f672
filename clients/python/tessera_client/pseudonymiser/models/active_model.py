from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ActiveModel")


@_attrs_define
class ActiveModel:
    """
    Attributes:
        version (str):
        created_at (datetime.datetime):
        trained_on (int | None): Held records when it was trained (none: read from a file)
        relinked_at (datetime.datetime | None):
    """

    version: str
    created_at: datetime.datetime
    trained_on: int | None
    relinked_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        version = self.version

        created_at = self.created_at.isoformat()

        trained_on: int | None
        trained_on = self.trained_on

        relinked_at: None | str
        if isinstance(self.relinked_at, datetime.datetime):
            relinked_at = self.relinked_at.isoformat()
        else:
            relinked_at = self.relinked_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "version": version,
                "created_at": created_at,
                "trained_on": trained_on,
                "relinked_at": relinked_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        version = d.pop("version")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_trained_on(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        trained_on = _parse_trained_on(d.pop("trained_on"))

        def _parse_relinked_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                relinked_at_type_0 = datetime.datetime.fromisoformat(data)

                return relinked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        relinked_at = _parse_relinked_at(d.pop("relinked_at"))

        active_model = cls(
            version=version,
            created_at=created_at,
            trained_on=trained_on,
            relinked_at=relinked_at,
        )

        active_model.additional_properties = d
        return active_model

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
