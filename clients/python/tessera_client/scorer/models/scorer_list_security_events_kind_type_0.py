from typing import Literal

ScorerListSecurityEventsKindType0 = Literal[
    "authentication", "authorisation", "change", "release", "verification"
]

SCORER_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES: set[
    ScorerListSecurityEventsKindType0
] = {
    "authentication",
    "authorisation",
    "change",
    "release",
    "verification",
}


def check_scorer_list_security_events_kind_type_0(
    value: str,
) -> ScorerListSecurityEventsKindType0:
    if value in SCORER_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SCORER_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES!r}"
    )
