from typing import Literal

ComplexState = Literal[
    "attached", "claim_pending", "claimed", "closed", "identified", "in_progress"
]

COMPLEX_STATE_VALUES: set[ComplexState] = {
    "attached",
    "claim_pending",
    "claimed",
    "closed",
    "identified",
    "in_progress",
}


def check_complex_state(value: str) -> ComplexState:
    if value in COMPLEX_STATE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {COMPLEX_STATE_VALUES!r}"
    )
