from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CohortMember")


@_attrs_define
class CohortMember:
    """A flagged person or household, by pseudonym, with the counts that flagged it.

    Attributes:
        pseudonym (str):
        level (str):
        score (float):
        indicators (int):
        health (int):
        non_health (int):
        area (None | str):
        raised_at (datetime.datetime):
    """

    pseudonym: str
    level: str
    score: float
    indicators: int
    health: int
    non_health: int
    area: None | str
    raised_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pseudonym = self.pseudonym

        level = self.level

        score = self.score

        indicators = self.indicators

        health = self.health

        non_health = self.non_health

        area: None | str
        area = self.area

        raised_at = self.raised_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "pseudonym": pseudonym,
                "level": level,
                "score": score,
                "indicators": indicators,
                "health": health,
                "non_health": non_health,
                "area": area,
                "raised_at": raised_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        pseudonym = d.pop("pseudonym")

        level = d.pop("level")

        score = d.pop("score")

        indicators = d.pop("indicators")

        health = d.pop("health")

        non_health = d.pop("non_health")

        def _parse_area(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        area = _parse_area(d.pop("area"))

        raised_at = datetime.datetime.fromisoformat(d.pop("raised_at"))

        cohort_member = cls(
            pseudonym=pseudonym,
            level=level,
            score=score,
            indicators=indicators,
            health=health,
            non_health=non_health,
            area=area,
            raised_at=raised_at,
        )

        cohort_member.additional_properties = d
        return cohort_member

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
