from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.conditions import Conditions
    from ..models.current import Current
    from ..models.disclosure_note import DisclosureNote
    from ..models.headline_threshold import HeadlineThreshold
    from ..models.threshold import Threshold


T = TypeVar("T", bound="Calibration")


@_attrs_define
class Calibration:
    """How many each threshold of a rule would select, overall and per area; a count that
    could single anyone out is null, and ``disclosure`` says how many were hidden.

        Attributes:
            rule_id (str):
            version (int):
            level (str):
            unit (str):
            conditions (Conditions):
            thresholds (list[Threshold]):
            headline_thresholds (list[HeadlineThreshold]):
            current (Current):
            disclosure (DisclosureNote): What was done to the counts of one response, so that a reader can tell a hidden
                count
                from a missing one (SATRE 3.3.09: the criteria travel with the output).
    """

    rule_id: str
    version: int
    level: str
    unit: str
    conditions: Conditions
    thresholds: list[Threshold]
    headline_thresholds: list[HeadlineThreshold]
    current: Current
    disclosure: DisclosureNote
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rule_id = self.rule_id

        version = self.version

        level = self.level

        unit = self.unit

        conditions = self.conditions.to_dict()

        thresholds = []
        for thresholds_item_data in self.thresholds:
            thresholds_item = thresholds_item_data.to_dict()
            thresholds.append(thresholds_item)

        headline_thresholds = []
        for headline_thresholds_item_data in self.headline_thresholds:
            headline_thresholds_item = headline_thresholds_item_data.to_dict()
            headline_thresholds.append(headline_thresholds_item)

        current = self.current.to_dict()

        disclosure = self.disclosure.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "rule_id": rule_id,
                "version": version,
                "level": level,
                "unit": unit,
                "conditions": conditions,
                "thresholds": thresholds,
                "headline_thresholds": headline_thresholds,
                "current": current,
                "disclosure": disclosure,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.conditions import Conditions
        from ..models.current import Current
        from ..models.disclosure_note import DisclosureNote
        from ..models.headline_threshold import HeadlineThreshold
        from ..models.threshold import Threshold

        d = dict(src_dict)
        rule_id = d.pop("rule_id")

        version = d.pop("version")

        level = d.pop("level")

        unit = d.pop("unit")

        conditions = Conditions.from_dict(d.pop("conditions"))

        thresholds = []
        _thresholds = d.pop("thresholds")
        for thresholds_item_data in _thresholds:
            thresholds_item = Threshold.from_dict(thresholds_item_data)

            thresholds.append(thresholds_item)

        headline_thresholds = []
        _headline_thresholds = d.pop("headline_thresholds")
        for headline_thresholds_item_data in _headline_thresholds:
            headline_thresholds_item = HeadlineThreshold.from_dict(
                headline_thresholds_item_data
            )

            headline_thresholds.append(headline_thresholds_item)

        current = Current.from_dict(d.pop("current"))

        disclosure = DisclosureNote.from_dict(d.pop("disclosure"))

        calibration = cls(
            rule_id=rule_id,
            version=version,
            level=level,
            unit=unit,
            conditions=conditions,
            thresholds=thresholds,
            headline_thresholds=headline_thresholds,
            current=current,
            disclosure=disclosure,
        )

        calibration.additional_properties = d
        return calibration

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
