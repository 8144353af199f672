from typing import Literal

BatchSummaryKind = Literal["events", "identities", "optouts"]

BATCH_SUMMARY_KIND_VALUES: set[BatchSummaryKind] = {
    "events",
    "identities",
    "optouts",
}


def check_batch_summary_kind(value: str) -> BatchSummaryKind:
    if value in BATCH_SUMMARY_KIND_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {BATCH_SUMMARY_KIND_VALUES!r}"
    )
