from typing import Literal

HistoryState = Literal[
    "attached", "claim_pending", "claimed", "closed", "identified", "in_progress"
]

HISTORY_STATE_VALUES: set[HistoryState] = {
    "attached",
    "claim_pending",
    "claimed",
    "closed",
    "identified",
    "in_progress",
}


def check_history_state(value: str) -> HistoryState:
    if value in HISTORY_STATE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {HISTORY_STATE_VALUES!r}"
    )
