from typing import Literal

SecurityEventOutcome = Literal["failure", "refused", "success"]

SECURITY_EVENT_OUTCOME_VALUES: set[SecurityEventOutcome] = {
    "failure",
    "refused",
    "success",
}


def check_security_event_outcome(value: str) -> SecurityEventOutcome:
    if value in SECURITY_EVENT_OUTCOME_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SECURITY_EVENT_OUTCOME_VALUES!r}"
    )
