from typing import Literal

ReidentifyListSecurityEventsKindType0 = Literal[
    "authentication", "authorisation", "change", "release", "verification"
]

REIDENTIFY_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES: set[
    ReidentifyListSecurityEventsKindType0
] = {
    "authentication",
    "authorisation",
    "change",
    "release",
    "verification",
}


def check_reidentify_list_security_events_kind_type_0(
    value: str,
) -> ReidentifyListSecurityEventsKindType0:
    if value in REIDENTIFY_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {REIDENTIFY_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES!r}"
    )
