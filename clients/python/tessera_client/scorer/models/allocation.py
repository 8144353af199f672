from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.allocation_state import AllocationState, check_allocation_state

T = TypeVar("T", bound="Allocation")


@_attrs_define
class Allocation:
    """
    Attributes:
        rule_id (str):
        pseudonym (str):
        state (AllocationState):
        area (None | str):
        identified_on (datetime.date):
    """

    rule_id: str
    pseudonym: str
    state: AllocationState
    area: None | str
    identified_on: datetime.date
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rule_id = self.rule_id

        pseudonym = self.pseudonym

        state: str = self.state

        area: None | str
        area = self.area

        identified_on = self.identified_on.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "rule_id": rule_id,
                "pseudonym": pseudonym,
                "state": state,
                "area": area,
                "identified_on": identified_on,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        rule_id = d.pop("rule_id")

        pseudonym = d.pop("pseudonym")

        state = check_allocation_state(d.pop("state"))

        def _parse_area(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        area = _parse_area(d.pop("area"))

        identified_on = datetime.date.fromisoformat(d.pop("identified_on"))

        allocation = cls(
            rule_id=rule_id,
            pseudonym=pseudonym,
            state=state,
            area=area,
            identified_on=identified_on,
        )

        allocation.additional_properties = d
        return allocation

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
