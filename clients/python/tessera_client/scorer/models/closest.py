from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.closest_state import ClosestState, check_closest_state

T = TypeVar("T", bound="Closest")


@_attrs_define
class Closest:
    """
    Attributes:
        pseudonym (str):
        state (ClosestState):
        area (None | str):
        claimable_now (bool): has met a measure not yet claimed
        next_window (None | str):
        measure (None | str):
    """

    pseudonym: str
    state: ClosestState
    area: None | str
    claimable_now: bool
    next_window: None | str
    measure: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pseudonym = self.pseudonym

        state: str = self.state

        area: None | str
        area = self.area

        claimable_now = self.claimable_now

        next_window: None | str
        next_window = self.next_window

        measure: None | str
        measure = self.measure

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "pseudonym": pseudonym,
                "state": state,
                "area": area,
                "claimable_now": claimable_now,
                "next_window": next_window,
                "measure": measure,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        pseudonym = d.pop("pseudonym")

        state = check_closest_state(d.pop("state"))

        def _parse_area(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        area = _parse_area(d.pop("area"))

        claimable_now = d.pop("claimable_now")

        def _parse_next_window(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_window = _parse_next_window(d.pop("next_window"))

        def _parse_measure(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        measure = _parse_measure(d.pop("measure"))

        closest = cls(
            pseudonym=pseudonym,
            state=state,
            area=area,
            claimable_now=claimable_now,
            next_window=next_window,
            measure=measure,
        )

        closest.additional_properties = d
        return closest

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
