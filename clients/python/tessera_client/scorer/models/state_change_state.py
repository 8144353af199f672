from typing import Literal

StateChangeState = Literal[
    "attached", "claim_pending", "claimed", "closed", "identified", "in_progress"
]

STATE_CHANGE_STATE_VALUES: set[StateChangeState] = {
    "attached",
    "claim_pending",
    "claimed",
    "closed",
    "identified",
    "in_progress",
}


def check_state_change_state(value: str) -> StateChangeState:
    if value in STATE_CHANGE_STATE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {STATE_CHANGE_STATE_VALUES!r}"
    )
