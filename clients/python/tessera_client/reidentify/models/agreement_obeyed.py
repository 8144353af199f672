from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AgreementObeyed")


@_attrs_define
class AgreementObeyed:
    """An agreement as this slice obeys it: the latest revision the gateway announced.

    Attributes:
        agreement (str):
        revision (int):
        purposes (list[str]):
        retention (None | str):
        valid_to (datetime.date | None):
        ended_on (datetime.date | None):
    """

    agreement: str
    revision: int
    purposes: list[str]
    retention: None | str
    valid_to: datetime.date | None
    ended_on: datetime.date | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agreement = self.agreement

        revision = self.revision

        purposes = self.purposes

        retention: None | str
        retention = self.retention

        valid_to: None | str
        if isinstance(self.valid_to, datetime.date):
            valid_to = self.valid_to.isoformat()
        else:
            valid_to = self.valid_to

        ended_on: None | str
        if isinstance(self.ended_on, datetime.date):
            ended_on = self.ended_on.isoformat()
        else:
            ended_on = self.ended_on

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agreement": agreement,
                "revision": revision,
                "purposes": purposes,
                "retention": retention,
                "valid_to": valid_to,
                "ended_on": ended_on,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        agreement = d.pop("agreement")

        revision = d.pop("revision")

        purposes = cast(list[str], d.pop("purposes"))

        def _parse_retention(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        retention = _parse_retention(d.pop("retention"))

        def _parse_valid_to(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                valid_to_type_0 = datetime.date.fromisoformat(data)

                return valid_to_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        valid_to = _parse_valid_to(d.pop("valid_to"))

        def _parse_ended_on(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ended_on_type_0 = datetime.date.fromisoformat(data)

                return ended_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        ended_on = _parse_ended_on(d.pop("ended_on"))

        agreement_obeyed = cls(
            agreement=agreement,
            revision=revision,
            purposes=purposes,
            retention=retention,
            valid_to=valid_to,
            ended_on=ended_on,
        )

        agreement_obeyed.additional_properties = d
        return agreement_obeyed

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
