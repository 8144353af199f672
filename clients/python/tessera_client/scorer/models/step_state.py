from typing import Literal

StepState = Literal[
    "attached", "claim_pending", "claimed", "closed", "identified", "in_progress"
]

STEP_STATE_VALUES: set[StepState] = {
    "attached",
    "claim_pending",
    "claimed",
    "closed",
    "identified",
    "in_progress",
}


def check_step_state(value: str) -> StepState:
    if value in STEP_STATE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {STEP_STATE_VALUES!r}"
    )
