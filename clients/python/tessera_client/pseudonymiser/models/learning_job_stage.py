from typing import Literal

LearningJobStage = Literal[
    "checking",
    "indexing",
    "relinking",
    "reviews",
    "scoring",
    "snapshot",
    "swapping",
    "training",
]

LEARNING_JOB_STAGE_VALUES: set[LearningJobStage] = {
    "checking",
    "indexing",
    "relinking",
    "reviews",
    "scoring",
    "snapshot",
    "swapping",
    "training",
}


def check_learning_job_stage(value: str) -> LearningJobStage:
    if value in LEARNING_JOB_STAGE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LEARNING_JOB_STAGE_VALUES!r}"
    )
