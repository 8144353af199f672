from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.review_decision_decision import (
    ReviewDecisionDecision,
    check_review_decision_decision,
)

T = TypeVar("T", bound="ReviewDecision")


@_attrs_define
class ReviewDecision:
    """
    Attributes:
        decision (ReviewDecisionDecision):
    """

    decision: ReviewDecisionDecision

    def to_dict(self) -> dict[str, Any]:
        decision: str = self.decision

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "decision": decision,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        decision = check_review_decision_decision(d.pop("decision"))

        review_decision = cls(
            decision=decision,
        )

        return review_decision
