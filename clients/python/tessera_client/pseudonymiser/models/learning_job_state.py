from typing import Literal

LearningJobState = Literal["cancelled", "done", "failed", "refused", "running"]

LEARNING_JOB_STATE_VALUES: set[LearningJobState] = {
    "cancelled",
    "done",
    "failed",
    "refused",
    "running",
}


def check_learning_job_state(value: str) -> LearningJobState:
    if value in LEARNING_JOB_STATE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LEARNING_JOB_STATE_VALUES!r}"
    )
