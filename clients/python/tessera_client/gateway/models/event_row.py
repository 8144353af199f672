from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="EventRow")


@_attrs_define
class EventRow:
    """A row of an events upload: something the partner recorded about a person or a
    property, by one of its dataset's codes (GET /v1/datasets lists them).

        Attributes:
            local_id (str):
            code (str):
            occurred_on (datetime.date):
            event_id (None | str | Unset):
    """

    local_id: str
    code: str
    occurred_on: datetime.date
    event_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        local_id = self.local_id

        code = self.code

        occurred_on = self.occurred_on.isoformat()

        event_id: None | str | Unset
        if isinstance(self.event_id, Unset):
            event_id = UNSET
        else:
            event_id = self.event_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "local_id": local_id,
                "code": code,
                "occurred_on": occurred_on,
            }
        )
        if event_id is not UNSET:
            field_dict["event_id"] = event_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        local_id = d.pop("local_id")

        code = d.pop("code")

        occurred_on = datetime.date.fromisoformat(d.pop("occurred_on"))

        def _parse_event_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        event_id = _parse_event_id(d.pop("event_id", UNSET))

        event_row = cls(
            local_id=local_id,
            code=code,
            occurred_on=occurred_on,
            event_id=event_id,
        )

        return event_row
