from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.claim_row import ClaimRow
    from ..models.disclosure_note import DisclosureNote
    from ..models.measure import Measure


T = TypeVar("T", bound="ClaimsReport")


@_attrs_define
class ClaimsReport:
    """Counts per cohort month, headline problem and outcome measure, for payment-by-results
    claims; a count that could single a family out is null (docs/disclosure.md).

        Attributes:
            rule_id (str):
            version (int):
            unit (str):
            measured_through (None | str): Every member measured through this month
            measures (list[Measure]):
            rows (list[ClaimRow]):
            disclosure (DisclosureNote | None):
    """

    rule_id: str
    version: int
    unit: str
    measured_through: None | str
    measures: list[Measure]
    rows: list[ClaimRow]
    disclosure: DisclosureNote | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.disclosure_note import DisclosureNote

        rule_id = self.rule_id

        version = self.version

        unit = self.unit

        measured_through: None | str
        measured_through = self.measured_through

        measures = []
        for measures_item_data in self.measures:
            measures_item = measures_item_data.to_dict()
            measures.append(measures_item)

        rows = []
        for rows_item_data in self.rows:
            rows_item = rows_item_data.to_dict()
            rows.append(rows_item)

        disclosure: dict[str, Any] | None
        if isinstance(self.disclosure, DisclosureNote):
            disclosure = self.disclosure.to_dict()
        else:
            disclosure = self.disclosure

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "rule_id": rule_id,
                "version": version,
                "unit": unit,
                "measured_through": measured_through,
                "measures": measures,
                "rows": rows,
                "disclosure": disclosure,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.claim_row import ClaimRow
        from ..models.disclosure_note import DisclosureNote
        from ..models.measure import Measure

        d = dict(src_dict)
        rule_id = d.pop("rule_id")

        version = d.pop("version")

        unit = d.pop("unit")

        def _parse_measured_through(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        measured_through = _parse_measured_through(d.pop("measured_through"))

        measures = []
        _measures = d.pop("measures")
        for measures_item_data in _measures:
            measures_item = Measure.from_dict(measures_item_data)

            measures.append(measures_item)

        rows = []
        _rows = d.pop("rows")
        for rows_item_data in _rows:
            rows_item = ClaimRow.from_dict(rows_item_data)

            rows.append(rows_item)

        def _parse_disclosure(data: object) -> DisclosureNote | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                disclosure_type_0 = DisclosureNote.from_dict(data)

                return disclosure_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DisclosureNote | None, data)

        disclosure = _parse_disclosure(d.pop("disclosure"))

        claims_report = cls(
            rule_id=rule_id,
            version=version,
            unit=unit,
            measured_through=measured_through,
            measures=measures,
            rows=rows,
            disclosure=disclosure,
        )

        claims_report.additional_properties = d
        return claims_report

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
