from typing import Literal

DecisionBodyStatus = Literal["consent", "opt_out", "withdrawn"]

DECISION_BODY_STATUS_VALUES: set[DecisionBodyStatus] = {
    "consent",
    "opt_out",
    "withdrawn",
}


def check_decision_body_status(value: str) -> DecisionBodyStatus:
    if value in DECISION_BODY_STATUS_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {DECISION_BODY_STATUS_VALUES!r}"
    )
