from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ModelCheck")


@_attrs_define
class ModelCheck:
    """How a new model compares with what is held, before it is used.

    Attributes:
        passed (bool):
        reasons (list[str]): Why it was refused (empty when it passed)
        pairs_held (int): Record pairs that are one person now
        pairs_planned (int): Record pairs one person under the new model
        kept (float | None): Share of pairs_held the new model keeps together
        largest_person (int):
        largest_planned (int):
        decisions (int): Clerical decisions both models were scored on
        agree_current (int):
        agree_new (int):
    """

    passed: bool
    reasons: list[str]
    pairs_held: int
    pairs_planned: int
    kept: float | None
    largest_person: int
    largest_planned: int
    decisions: int
    agree_current: int
    agree_new: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        passed = self.passed

        reasons = self.reasons

        pairs_held = self.pairs_held

        pairs_planned = self.pairs_planned

        kept: float | None
        kept = self.kept

        largest_person = self.largest_person

        largest_planned = self.largest_planned

        decisions = self.decisions

        agree_current = self.agree_current

        agree_new = self.agree_new

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "passed": passed,
                "reasons": reasons,
                "pairs_held": pairs_held,
                "pairs_planned": pairs_planned,
                "kept": kept,
                "largest_person": largest_person,
                "largest_planned": largest_planned,
                "decisions": decisions,
                "agree_current": agree_current,
                "agree_new": agree_new,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        passed = d.pop("passed")

        reasons = cast(list[str], d.pop("reasons"))

        pairs_held = d.pop("pairs_held")

        pairs_planned = d.pop("pairs_planned")

        def _parse_kept(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        kept = _parse_kept(d.pop("kept"))

        largest_person = d.pop("largest_person")

        largest_planned = d.pop("largest_planned")

        decisions = d.pop("decisions")

        agree_current = d.pop("agree_current")

        agree_new = d.pop("agree_new")

        model_check = cls(
            passed=passed,
            reasons=reasons,
            pairs_held=pairs_held,
            pairs_planned=pairs_planned,
            kept=kept,
            largest_person=largest_person,
            largest_planned=largest_planned,
            decisions=decisions,
            agree_current=agree_current,
            agree_new=agree_new,
        )

        model_check.additional_properties = d
        return model_check

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
