from typing import Literal

RegistryChangeOutEntity = Literal["code", "dataset", "partner"]

REGISTRY_CHANGE_OUT_ENTITY_VALUES: set[RegistryChangeOutEntity] = {
    "code",
    "dataset",
    "partner",
}


def check_registry_change_out_entity(value: str) -> RegistryChangeOutEntity:
    if value in REGISTRY_CHANGE_OUT_ENTITY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {REGISTRY_CHANGE_OUT_ENTITY_VALUES!r}"
    )
