from typing import Literal

ClosestState = Literal[
    "attached", "claim_pending", "claimed", "closed", "identified", "in_progress"
]

CLOSEST_STATE_VALUES: set[ClosestState] = {
    "attached",
    "claim_pending",
    "claimed",
    "closed",
    "identified",
    "in_progress",
}


def check_closest_state(value: str) -> ClosestState:
    if value in CLOSEST_STATE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CLOSEST_STATE_VALUES!r}"
    )
