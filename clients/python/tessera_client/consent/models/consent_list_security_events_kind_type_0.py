from typing import Literal

ConsentListSecurityEventsKindType0 = Literal[
    "authentication", "authorisation", "change", "release", "verification"
]

CONSENT_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES: set[
    ConsentListSecurityEventsKindType0
] = {
    "authentication",
    "authorisation",
    "change",
    "release",
    "verification",
}


def check_consent_list_security_events_kind_type_0(
    value: str,
) -> ConsentListSecurityEventsKindType0:
    if value in CONSENT_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CONSENT_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES!r}"
    )
