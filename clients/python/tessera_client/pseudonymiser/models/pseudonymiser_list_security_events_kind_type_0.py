from typing import Literal

PseudonymiserListSecurityEventsKindType0 = Literal[
    "authentication", "authorisation", "change", "release", "verification"
]

PSEUDONYMISER_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES: set[
    PseudonymiserListSecurityEventsKindType0
] = {
    "authentication",
    "authorisation",
    "change",
    "release",
    "verification",
}


def check_pseudonymiser_list_security_events_kind_type_0(
    value: str,
) -> PseudonymiserListSecurityEventsKindType0:
    if value in PSEUDONYMISER_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PSEUDONYMISER_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES!r}"
    )
