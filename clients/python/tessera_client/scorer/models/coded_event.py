from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CodedEvent")


@_attrs_define
class CodedEvent:
    """
    Attributes:
        dataset (str):
        code (str):
        occurred_on (datetime.date):
        occurrences (int):
    """

    dataset: str
    code: str
    occurred_on: datetime.date
    occurrences: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        dataset = self.dataset

        code = self.code

        occurred_on = self.occurred_on.isoformat()

        occurrences = self.occurrences

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "dataset": dataset,
                "code": code,
                "occurred_on": occurred_on,
                "occurrences": occurrences,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        dataset = d.pop("dataset")

        code = d.pop("code")

        occurred_on = datetime.date.fromisoformat(d.pop("occurred_on"))

        occurrences = d.pop("occurrences")

        coded_event = cls(
            dataset=dataset,
            code=code,
            occurred_on=occurred_on,
            occurrences=occurrences,
        )

        coded_event.additional_properties = d
        return coded_event

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
