from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.state_change_state import StateChangeState, check_state_change_state
from ..types import UNSET, Unset

T = TypeVar("T", bound="StateChange")


@_attrs_define
class StateChange:
    """
    Attributes:
        state (StateChangeState):
        keyworker (None | str | Unset): The keyworker's token subject: named when, and only when, attaching
    """

    state: StateChangeState
    keyworker: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        state: str = self.state

        keyworker: None | str | Unset
        if isinstance(self.keyworker, Unset):
            keyworker = UNSET
        else:
            keyworker = self.keyworker

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "state": state,
            }
        )
        if keyworker is not UNSET:
            field_dict["keyworker"] = keyworker

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        state = check_state_change_state(d.pop("state"))

        def _parse_keyworker(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        keyworker = _parse_keyworker(d.pop("keyworker", UNSET))

        state_change = cls(
            state=state,
            keyworker=keyworker,
        )

        return state_change
