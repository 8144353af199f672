from typing import Literal

ReviewPairOutStatus = Literal["match", "non_match", "pending", "superseded"]

REVIEW_PAIR_OUT_STATUS_VALUES: set[ReviewPairOutStatus] = {
    "match",
    "non_match",
    "pending",
    "superseded",
}


def check_review_pair_out_status(value: str) -> ReviewPairOutStatus:
    if value in REVIEW_PAIR_OUT_STATUS_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {REVIEW_PAIR_OUT_STATUS_VALUES!r}"
    )
