from typing import Literal

ListReviewPairsStatusType0 = Literal["match", "non_match", "pending", "superseded"]

LIST_REVIEW_PAIRS_STATUS_TYPE_0_VALUES: set[ListReviewPairsStatusType0] = {
    "match",
    "non_match",
    "pending",
    "superseded",
}


def check_list_review_pairs_status_type_0(value: str) -> ListReviewPairsStatusType0:
    if value in LIST_REVIEW_PAIRS_STATUS_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LIST_REVIEW_PAIRS_STATUS_TYPE_0_VALUES!r}"
    )
