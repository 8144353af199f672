from typing import Literal

ReviewPairOutResolutionType0 = Literal["below-review", "record-gone", "same-person"]

REVIEW_PAIR_OUT_RESOLUTION_TYPE_0_VALUES: set[ReviewPairOutResolutionType0] = {
    "below-review",
    "record-gone",
    "same-person",
}


def check_review_pair_out_resolution_type_0(value: str) -> ReviewPairOutResolutionType0:
    if value in REVIEW_PAIR_OUT_RESOLUTION_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {REVIEW_PAIR_OUT_RESOLUTION_TYPE_0_VALUES!r}"
    )
