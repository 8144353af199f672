from typing import Literal

LinkerListSecurityEventsKindType0 = Literal[
    "authentication", "authorisation", "change", "release", "verification"
]

LINKER_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES: set[
    LinkerListSecurityEventsKindType0
] = {
    "authentication",
    "authorisation",
    "change",
    "release",
    "verification",
}


def check_linker_list_security_events_kind_type_0(
    value: str,
) -> LinkerListSecurityEventsKindType0:
    if value in LINKER_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LINKER_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES!r}"
    )
