from typing import Literal

ReviewDecisionDecision = Literal["match", "non_match"]

REVIEW_DECISION_DECISION_VALUES: set[ReviewDecisionDecision] = {
    "match",
    "non_match",
}


def check_review_decision_decision(value: str) -> ReviewDecisionDecision:
    if value in REVIEW_DECISION_DECISION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {REVIEW_DECISION_DECISION_VALUES!r}"
    )
