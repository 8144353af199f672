from typing import Literal

GetAreaProfileLevel = Literal["locality", "lsoa", "ward"]

GET_AREA_PROFILE_LEVEL_VALUES: set[GetAreaProfileLevel] = {
    "locality",
    "lsoa",
    "ward",
}


def check_get_area_profile_level(value: str) -> GetAreaProfileLevel:
    if value in GET_AREA_PROFILE_LEVEL_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GET_AREA_PROFILE_LEVEL_VALUES!r}"
    )
