from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.family_state import FamilyState, check_family_state

if TYPE_CHECKING:
    from ..models.met_measure import MetMeasure
    from ..models.step import Step
    from ..models.window import Window


T = TypeVar("T", bound="Family")


@_attrs_define
class Family:
    """A family's journey, without its codes: pseudonym, state, keyworker and steps.

    Attributes:
        rule_id (str):
        pseudonym (str):
        area (None | str):
        identified_on (datetime.date):
        state (FamilyState):
        keyworker (None | str):
        headlines (list[str]):
        score (float):
        eligible (list[str]):
        met (list[MetMeasure]):
        windows (list[Window]):
        steps (list[Step]):
    """

    rule_id: str
    pseudonym: str
    area: None | str
    identified_on: datetime.date
    state: FamilyState
    keyworker: None | str
    headlines: list[str]
    score: float
    eligible: list[str]
    met: list[MetMeasure]
    windows: list[Window]
    steps: list[Step]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rule_id = self.rule_id

        pseudonym = self.pseudonym

        area: None | str
        area = self.area

        identified_on = self.identified_on.isoformat()

        state: str = self.state

        keyworker: None | str
        keyworker = self.keyworker

        headlines = self.headlines

        score = self.score

        eligible = self.eligible

        met = []
        for met_item_data in self.met:
            met_item = met_item_data.to_dict()
            met.append(met_item)

        windows = []
        for windows_item_data in self.windows:
            windows_item = windows_item_data.to_dict()
            windows.append(windows_item)

        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "rule_id": rule_id,
                "pseudonym": pseudonym,
                "area": area,
                "identified_on": identified_on,
                "state": state,
                "keyworker": keyworker,
                "headlines": headlines,
                "score": score,
                "eligible": eligible,
                "met": met,
                "windows": windows,
                "steps": steps,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.met_measure import MetMeasure
        from ..models.step import Step
        from ..models.window import Window

        d = dict(src_dict)
        rule_id = d.pop("rule_id")

        pseudonym = d.pop("pseudonym")

        def _parse_area(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        area = _parse_area(d.pop("area"))

        identified_on = datetime.date.fromisoformat(d.pop("identified_on"))

        state = check_family_state(d.pop("state"))

        def _parse_keyworker(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        keyworker = _parse_keyworker(d.pop("keyworker"))

        headlines = cast(list[str], d.pop("headlines"))

        score = d.pop("score")

        eligible = cast(list[str], d.pop("eligible"))

        met = []
        _met = d.pop("met")
        for met_item_data in _met:
            met_item = MetMeasure.from_dict(met_item_data)

            met.append(met_item)

        windows = []
        _windows = d.pop("windows")
        for windows_item_data in _windows:
            windows_item = Window.from_dict(windows_item_data)

            windows.append(windows_item)

        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = Step.from_dict(steps_item_data)

            steps.append(steps_item)

        family = cls(
            rule_id=rule_id,
            pseudonym=pseudonym,
            area=area,
            identified_on=identified_on,
            state=state,
            keyworker=keyworker,
            headlines=headlines,
            score=score,
            eligible=eligible,
            met=met,
            windows=windows,
            steps=steps,
        )

        family.additional_properties = d
        return family

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
