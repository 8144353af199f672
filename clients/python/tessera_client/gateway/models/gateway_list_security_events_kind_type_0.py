from typing import Literal

GatewayListSecurityEventsKindType0 = Literal[
    "authentication", "authorisation", "change", "release", "verification"
]

GATEWAY_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES: set[
    GatewayListSecurityEventsKindType0
] = {
    "authentication",
    "authorisation",
    "change",
    "release",
    "verification",
}


def check_gateway_list_security_events_kind_type_0(
    value: str,
) -> GatewayListSecurityEventsKindType0:
    if value in GATEWAY_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GATEWAY_LIST_SECURITY_EVENTS_KIND_TYPE_0_VALUES!r}"
    )
