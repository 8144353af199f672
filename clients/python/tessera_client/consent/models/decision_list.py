from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.decision_list_effective import DecisionListEffective
    from ..models.decision_out import DecisionOut


T = TypeVar("T", bound="DecisionList")


@_attrs_define
class DecisionList:
    """
    Attributes:
        pseudonym (str):
        decisions (list[DecisionOut]):
        effective (DecisionListEffective): scope -> the effective decision_id
    """

    pseudonym: str
    decisions: list[DecisionOut]
    effective: DecisionListEffective
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pseudonym = self.pseudonym

        decisions = []
        for decisions_item_data in self.decisions:
            decisions_item = decisions_item_data.to_dict()
            decisions.append(decisions_item)

        effective = self.effective.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "pseudonym": pseudonym,
                "decisions": decisions,
                "effective": effective,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.decision_list_effective import DecisionListEffective
        from ..models.decision_out import DecisionOut

        d = dict(src_dict)
        pseudonym = d.pop("pseudonym")

        decisions = []
        _decisions = d.pop("decisions")
        for decisions_item_data in _decisions:
            decisions_item = DecisionOut.from_dict(decisions_item_data)

            decisions.append(decisions_item)

        effective = DecisionListEffective.from_dict(d.pop("effective"))

        decision_list = cls(
            pseudonym=pseudonym,
            decisions=decisions,
            effective=effective,
        )

        decision_list.additional_properties = d
        return decision_list

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
