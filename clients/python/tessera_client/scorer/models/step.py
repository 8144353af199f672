from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.step_state import StepState, check_step_state

T = TypeVar("T", bound="Step")


@_attrs_define
class Step:
    """
    Attributes:
        state (StepState):
        keyworker (None | str):
        by (str):
        at (datetime.datetime):
    """

    state: StepState
    keyworker: None | str
    by: str
    at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        state: str = self.state

        keyworker: None | str
        keyworker = self.keyworker

        by = self.by

        at = self.at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "state": state,
                "keyworker": keyworker,
                "by": by,
                "at": at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        state = check_step_state(d.pop("state"))

        def _parse_keyworker(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        keyworker = _parse_keyworker(d.pop("keyworker"))

        by = d.pop("by")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        step = cls(
            state=state,
            keyworker=keyworker,
            by=by,
            at=at,
        )

        step.additional_properties = d
        return step

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
