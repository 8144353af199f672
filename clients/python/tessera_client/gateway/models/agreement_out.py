from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AgreementOut")


@_attrs_define
class AgreementOut:
    """
    Attributes:
        id (str):
        partner (None | str):
        datasets (list[str]):
        legal_basis (None | str):
        purposes (list[str]):
        retention (None | str):
        valid_from (datetime.date | None):
        valid_to (datetime.date | None):
        ended_on (datetime.date | None):
        revision (int):
        in_force (bool):
    """

    id: str
    partner: None | str
    datasets: list[str]
    legal_basis: None | str
    purposes: list[str]
    retention: None | str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    ended_on: datetime.date | None
    revision: int
    in_force: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        partner: None | str
        partner = self.partner

        datasets = self.datasets

        legal_basis: None | str
        legal_basis = self.legal_basis

        purposes = self.purposes

        retention: None | str
        retention = self.retention

        valid_from: None | str
        if isinstance(self.valid_from, datetime.date):
            valid_from = self.valid_from.isoformat()
        else:
            valid_from = self.valid_from

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

        revision = self.revision

        in_force = self.in_force

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "partner": partner,
                "datasets": datasets,
                "legal_basis": legal_basis,
                "purposes": purposes,
                "retention": retention,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "ended_on": ended_on,
                "revision": revision,
                "in_force": in_force,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        def _parse_partner(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        partner = _parse_partner(d.pop("partner"))

        datasets = cast(list[str], d.pop("datasets"))

        def _parse_legal_basis(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        legal_basis = _parse_legal_basis(d.pop("legal_basis"))

        purposes = cast(list[str], d.pop("purposes"))

        def _parse_retention(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        retention = _parse_retention(d.pop("retention"))

        def _parse_valid_from(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                valid_from_type_0 = datetime.date.fromisoformat(data)

                return valid_from_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        valid_from = _parse_valid_from(d.pop("valid_from"))

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

        revision = d.pop("revision")

        in_force = d.pop("in_force")

        agreement_out = cls(
            id=id,
            partner=partner,
            datasets=datasets,
            legal_basis=legal_basis,
            purposes=purposes,
            retention=retention,
            valid_from=valid_from,
            valid_to=valid_to,
            ended_on=ended_on,
            revision=revision,
            in_force=in_force,
        )

        agreement_out.additional_properties = d
        return agreement_out

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
