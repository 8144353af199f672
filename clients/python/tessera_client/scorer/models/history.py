from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.history_state import HistoryState, check_history_state

if TYPE_CHECKING:
    from ..models.coded_event import CodedEvent
    from ..models.history_baseline import HistoryBaseline
    from ..models.met_measure import MetMeasure
    from ..models.month_measured import MonthMeasured


T = TypeVar("T", bound="History")


@_attrs_define
class History:
    """The family's indicator history, for its keyworker only: which codes, when.

    Attributes:
        rule_id (str):
        pseudonym (str):
        state (HistoryState):
        identified_on (datetime.date):
        baseline (HistoryBaseline):
        events (list[CodedEvent]):
        measurements (list[MonthMeasured]):
        met (list[MetMeasure]):
    """

    rule_id: str
    pseudonym: str
    state: HistoryState
    identified_on: datetime.date
    baseline: HistoryBaseline
    events: list[CodedEvent]
    measurements: list[MonthMeasured]
    met: list[MetMeasure]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rule_id = self.rule_id

        pseudonym = self.pseudonym

        state: str = self.state

        identified_on = self.identified_on.isoformat()

        baseline = self.baseline.to_dict()

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.to_dict()
            events.append(events_item)

        measurements = []
        for measurements_item_data in self.measurements:
            measurements_item = measurements_item_data.to_dict()
            measurements.append(measurements_item)

        met = []
        for met_item_data in self.met:
            met_item = met_item_data.to_dict()
            met.append(met_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "rule_id": rule_id,
                "pseudonym": pseudonym,
                "state": state,
                "identified_on": identified_on,
                "baseline": baseline,
                "events": events,
                "measurements": measurements,
                "met": met,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.coded_event import CodedEvent
        from ..models.history_baseline import HistoryBaseline
        from ..models.met_measure import MetMeasure
        from ..models.month_measured import MonthMeasured

        d = dict(src_dict)
        rule_id = d.pop("rule_id")

        pseudonym = d.pop("pseudonym")

        state = check_history_state(d.pop("state"))

        identified_on = datetime.date.fromisoformat(d.pop("identified_on"))

        baseline = HistoryBaseline.from_dict(d.pop("baseline"))

        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = CodedEvent.from_dict(events_item_data)

            events.append(events_item)

        measurements = []
        _measurements = d.pop("measurements")
        for measurements_item_data in _measurements:
            measurements_item = MonthMeasured.from_dict(measurements_item_data)

            measurements.append(measurements_item)

        met = []
        _met = d.pop("met")
        for met_item_data in _met:
            met_item = MetMeasure.from_dict(met_item_data)

            met.append(met_item)

        history = cls(
            rule_id=rule_id,
            pseudonym=pseudonym,
            state=state,
            identified_on=identified_on,
            baseline=baseline,
            events=events,
            measurements=measurements,
            met=met,
        )

        history.additional_properties = d
        return history

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
