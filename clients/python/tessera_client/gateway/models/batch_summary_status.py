from typing import Literal

BatchSummaryStatus = Literal["complete", "processing"]

BATCH_SUMMARY_STATUS_VALUES: set[BatchSummaryStatus] = {
    "complete",
    "processing",
}


def check_batch_summary_status(value: str) -> BatchSummaryStatus:
    if value in BATCH_SUMMARY_STATUS_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {BATCH_SUMMARY_STATUS_VALUES!r}"
    )
