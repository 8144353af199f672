from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.measure import Measure


T = TypeVar("T", bound="Outcomes")


@_attrs_define
class Outcomes:
    """A rule set's outcome measures: flagging under it enrols a family in its cohort.

    Attributes:
        measures (list[Measure]):
    """

    measures: list[Measure]

    def to_dict(self) -> dict[str, Any]:
        measures = []
        for measures_item_data in self.measures:
            measures_item = measures_item_data.to_dict()
            measures.append(measures_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "measures": measures,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.measure import Measure

        d = dict(src_dict)
        measures = []
        _measures = d.pop("measures")
        for measures_item_data in _measures:
            measures_item = Measure.from_dict(measures_item_data)

            measures.append(measures_item)

        outcomes = cls(
            measures=measures,
        )

        return outcomes
