from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="AgreementFields")


@_attrs_define
class AgreementFields:
    """
    Attributes:
        legal_basis (str):
        purposes (list[str]):
        retention (str): ISO 8601 duration: how long each record is kept
        valid_from (datetime.date):
        partner (None | str | Unset): The partner, or none for a multi-party agreement
        datasets (list[str] | Unset):
        valid_to (datetime.date | None | Unset):
    """

    legal_basis: str
    purposes: list[str]
    retention: str
    valid_from: datetime.date
    partner: None | str | Unset = UNSET
    datasets: list[str] | Unset = UNSET
    valid_to: datetime.date | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        legal_basis = self.legal_basis

        purposes = self.purposes

        retention = self.retention

        valid_from = self.valid_from.isoformat()

        partner: None | str | Unset
        if isinstance(self.partner, Unset):
            partner = UNSET
        else:
            partner = self.partner

        datasets: list[str] | Unset = UNSET
        if not isinstance(self.datasets, Unset):
            datasets = self.datasets

        valid_to: None | str | Unset
        if isinstance(self.valid_to, Unset):
            valid_to = UNSET
        elif isinstance(self.valid_to, datetime.date):
            valid_to = self.valid_to.isoformat()
        else:
            valid_to = self.valid_to

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "legal_basis": legal_basis,
                "purposes": purposes,
                "retention": retention,
                "valid_from": valid_from,
            }
        )
        if partner is not UNSET:
            field_dict["partner"] = partner
        if datasets is not UNSET:
            field_dict["datasets"] = datasets
        if valid_to is not UNSET:
            field_dict["valid_to"] = valid_to

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        legal_basis = d.pop("legal_basis")

        purposes = cast(list[str], d.pop("purposes"))

        retention = d.pop("retention")

        valid_from = datetime.date.fromisoformat(d.pop("valid_from"))

        def _parse_partner(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        partner = _parse_partner(d.pop("partner", UNSET))

        datasets = cast(list[str], d.pop("datasets", UNSET))

        def _parse_valid_to(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                valid_to_type_0 = datetime.date.fromisoformat(data)

                return valid_to_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        valid_to = _parse_valid_to(d.pop("valid_to", UNSET))

        agreement_fields = cls(
            legal_basis=legal_basis,
            purposes=purposes,
            retention=retention,
            valid_from=valid_from,
            partner=partner,
            datasets=datasets,
            valid_to=valid_to,
        )

        return agreement_fields
