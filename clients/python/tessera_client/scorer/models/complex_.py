from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.complex_state import ComplexState, check_complex_state

T = TypeVar("T", bound="Complex")


@_attrs_define
class Complex:
    """
    Attributes:
        pseudonym (str):
        state (ComplexState):
        area (None | str):
        score (float):
        headlines (list[str]):
        indicators (int): distinct indicators in the 12 months before identification
    """

    pseudonym: str
    state: ComplexState
    area: None | str
    score: float
    headlines: list[str]
    indicators: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pseudonym = self.pseudonym

        state: str = self.state

        area: None | str
        area = self.area

        score = self.score

        headlines = self.headlines

        indicators = self.indicators

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "pseudonym": pseudonym,
                "state": state,
                "area": area,
                "score": score,
                "headlines": headlines,
                "indicators": indicators,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        pseudonym = d.pop("pseudonym")

        state = check_complex_state(d.pop("state"))

        def _parse_area(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        area = _parse_area(d.pop("area"))

        score = d.pop("score")

        headlines = cast(list[str], d.pop("headlines"))

        indicators = d.pop("indicators")

        complex_ = cls(
            pseudonym=pseudonym,
            state=state,
            area=area,
            score=score,
            headlines=headlines,
            indicators=indicators,
        )

        complex_.additional_properties = d
        return complex_

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
