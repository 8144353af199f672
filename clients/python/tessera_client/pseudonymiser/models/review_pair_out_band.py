from typing import Literal

ReviewPairOutBand = Literal["link", "no_link", "review"]

REVIEW_PAIR_OUT_BAND_VALUES: set[ReviewPairOutBand] = {
    "link",
    "no_link",
    "review",
}


def check_review_pair_out_band(value: str) -> ReviewPairOutBand:
    if value in REVIEW_PAIR_OUT_BAND_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {REVIEW_PAIR_OUT_BAND_VALUES!r}"
    )
