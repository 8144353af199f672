from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ClaimRow")


@_attrs_define
class ClaimRow:
    """
    Attributes:
        cohort_month (str): The month the families were identified (YYYY-MM)
        headline (None | str): A headline problem at identification; null: every family of the cohort month
        measure (None | str): null: the row counts families alone
        families (int | None | Unset):
        eligible (int | None | Unset): families measured on the measure
        met (int | None | Unset): families that met it
        claimed (int | None | Unset): families it was claimed for
    """

    cohort_month: str
    headline: None | str
    measure: None | str
    families: int | None | Unset = UNSET
    eligible: int | None | Unset = UNSET
    met: int | None | Unset = UNSET
    claimed: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cohort_month = self.cohort_month

        headline: None | str
        headline = self.headline

        measure: None | str
        measure = self.measure

        families: int | None | Unset
        if isinstance(self.families, Unset):
            families = UNSET
        else:
            families = self.families

        eligible: int | None | Unset
        if isinstance(self.eligible, Unset):
            eligible = UNSET
        else:
            eligible = self.eligible

        met: int | None | Unset
        if isinstance(self.met, Unset):
            met = UNSET
        else:
            met = self.met

        claimed: int | None | Unset
        if isinstance(self.claimed, Unset):
            claimed = UNSET
        else:
            claimed = self.claimed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cohort_month": cohort_month,
                "headline": headline,
                "measure": measure,
            }
        )
        if families is not UNSET:
            field_dict["families"] = families
        if eligible is not UNSET:
            field_dict["eligible"] = eligible
        if met is not UNSET:
            field_dict["met"] = met
        if claimed is not UNSET:
            field_dict["claimed"] = claimed

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        cohort_month = d.pop("cohort_month")

        def _parse_headline(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        headline = _parse_headline(d.pop("headline"))

        def _parse_measure(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        measure = _parse_measure(d.pop("measure"))

        def _parse_families(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        families = _parse_families(d.pop("families", UNSET))

        def _parse_eligible(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        eligible = _parse_eligible(d.pop("eligible", UNSET))

        def _parse_met(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        met = _parse_met(d.pop("met", UNSET))

        def _parse_claimed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        claimed = _parse_claimed(d.pop("claimed", UNSET))

        claim_row = cls(
            cohort_month=cohort_month,
            headline=headline,
            measure=measure,
            families=families,
            eligible=eligible,
            met=met,
            claimed=claimed,
        )

        claim_row.additional_properties = d
        return claim_row

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
