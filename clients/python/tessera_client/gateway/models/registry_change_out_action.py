from typing import Literal

RegistryChangeOutAction = Literal["changed", "created", "retired"]

REGISTRY_CHANGE_OUT_ACTION_VALUES: set[RegistryChangeOutAction] = {
    "changed",
    "created",
    "retired",
}


def check_registry_change_out_action(value: str) -> RegistryChangeOutAction:
    if value in REGISTRY_CHANGE_OUT_ACTION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {REGISTRY_CHANGE_OUT_ACTION_VALUES!r}"
    )
