from typing import Literal

SecurityEventKind = Literal[
    "authentication", "authorisation", "change", "release", "verification"
]

SECURITY_EVENT_KIND_VALUES: set[SecurityEventKind] = {
    "authentication",
    "authorisation",
    "change",
    "release",
    "verification",
}


def check_security_event_kind(value: str) -> SecurityEventKind:
    if value in SECURITY_EVENT_KIND_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SECURITY_EVENT_KIND_VALUES!r}"
    )
