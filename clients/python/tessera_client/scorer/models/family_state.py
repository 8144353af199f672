from typing import Literal

FamilyState = Literal[
    "attached", "claim_pending", "claimed", "closed", "identified", "in_progress"
]

FAMILY_STATE_VALUES: set[FamilyState] = {
    "attached",
    "claim_pending",
    "claimed",
    "closed",
    "identified",
    "in_progress",
}


def check_family_state(value: str) -> FamilyState:
    if value in FAMILY_STATE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {FAMILY_STATE_VALUES!r}"
    )
