from typing import Literal

GetAreaProfileBy = Literal["category", "headline", "none"]

GET_AREA_PROFILE_BY_VALUES: set[GetAreaProfileBy] = {
    "category",
    "headline",
    "none",
}


def check_get_area_profile_by(value: str) -> GetAreaProfileBy:
    if value in GET_AREA_PROFILE_BY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GET_AREA_PROFILE_BY_VALUES!r}"
    )
