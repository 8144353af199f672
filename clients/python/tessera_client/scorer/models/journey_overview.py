from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.closest import Closest
    from ..models.complex_ import Complex
    from ..models.measure_count import MeasureCount
    from ..models.state_count import StateCount


T = TypeVar("T", bound="JourneyOverview")


@_attrs_define
class JourneyOverview:
    """The co-ordinator's view: families per state, measures claimed most to least, the
    families closest to a claim and the most complex (pseudonyms, never codes).

        Attributes:
            rule_id (str):
            families (int):
            states (StateCount):
            measures (list[MeasureCount]):
            closest_to_claim (list[Closest]):
            most_complex (list[Complex]):
    """

    rule_id: str
    families: int
    states: StateCount
    measures: list[MeasureCount]
    closest_to_claim: list[Closest]
    most_complex: list[Complex]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rule_id = self.rule_id

        families = self.families

        states = self.states.to_dict()

        measures = []
        for measures_item_data in self.measures:
            measures_item = measures_item_data.to_dict()
            measures.append(measures_item)

        closest_to_claim = []
        for closest_to_claim_item_data in self.closest_to_claim:
            closest_to_claim_item = closest_to_claim_item_data.to_dict()
            closest_to_claim.append(closest_to_claim_item)

        most_complex = []
        for most_complex_item_data in self.most_complex:
            most_complex_item = most_complex_item_data.to_dict()
            most_complex.append(most_complex_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "rule_id": rule_id,
                "families": families,
                "states": states,
                "measures": measures,
                "closest_to_claim": closest_to_claim,
                "most_complex": most_complex,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.closest import Closest
        from ..models.complex_ import Complex
        from ..models.measure_count import MeasureCount
        from ..models.state_count import StateCount

        d = dict(src_dict)
        rule_id = d.pop("rule_id")

        families = d.pop("families")

        states = StateCount.from_dict(d.pop("states"))

        measures = []
        _measures = d.pop("measures")
        for measures_item_data in _measures:
            measures_item = MeasureCount.from_dict(measures_item_data)

            measures.append(measures_item)

        closest_to_claim = []
        _closest_to_claim = d.pop("closest_to_claim")
        for closest_to_claim_item_data in _closest_to_claim:
            closest_to_claim_item = Closest.from_dict(closest_to_claim_item_data)

            closest_to_claim.append(closest_to_claim_item)

        most_complex = []
        _most_complex = d.pop("most_complex")
        for most_complex_item_data in _most_complex:
            most_complex_item = Complex.from_dict(most_complex_item_data)

            most_complex.append(most_complex_item)

        journey_overview = cls(
            rule_id=rule_id,
            families=families,
            states=states,
            measures=measures,
            closest_to_claim=closest_to_claim,
            most_complex=most_complex,
        )

        journey_overview.additional_properties = d
        return journey_overview

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
