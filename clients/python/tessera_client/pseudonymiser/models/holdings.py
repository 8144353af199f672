from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.holdings_counts import HoldingsCounts


T = TypeVar("T", bound="Holdings")


@_attrs_define
class Holdings:
    """What one slice holds under one agreement: counts only.

    Attributes:
        agreement (str):
        service (str):
        counts (HoldingsCounts):
    """

    agreement: str
    service: str
    counts: HoldingsCounts
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agreement = self.agreement

        service = self.service

        counts = self.counts.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agreement": agreement,
                "service": service,
                "counts": counts,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.holdings_counts import HoldingsCounts

        d = dict(src_dict)
        agreement = d.pop("agreement")

        service = d.pop("service")

        counts = HoldingsCounts.from_dict(d.pop("counts"))

        holdings = cls(
            agreement=agreement,
            service=service,
            counts=counts,
        )

        holdings.additional_properties = d
        return holdings

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
