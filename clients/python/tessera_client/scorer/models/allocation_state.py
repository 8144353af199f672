from typing import Literal

AllocationState = Literal[
    "attached", "claim_pending", "claimed", "closed", "identified", "in_progress"
]

ALLOCATION_STATE_VALUES: set[AllocationState] = {
    "attached",
    "claim_pending",
    "claimed",
    "closed",
    "identified",
    "in_progress",
}


def check_allocation_state(value: str) -> AllocationState:
    if value in ALLOCATION_STATE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {ALLOCATION_STATE_VALUES!r}"
    )
