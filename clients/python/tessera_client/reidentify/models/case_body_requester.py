from typing import Literal

CaseBodyRequester = Literal["data-subject", "other", "representative"]

CASE_BODY_REQUESTER_VALUES: set[CaseBodyRequester] = {
    "data-subject",
    "other",
    "representative",
}


def check_case_body_requester(value: str) -> CaseBodyRequester:
    if value in CASE_BODY_REQUESTER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CASE_BODY_REQUESTER_VALUES!r}"
    )
