from typing import Literal

GetAreaConcentrationLevel = Literal["locality", "lsoa", "ward"]

GET_AREA_CONCENTRATION_LEVEL_VALUES: set[GetAreaConcentrationLevel] = {
    "locality",
    "lsoa",
    "ward",
}


def check_get_area_concentration_level(value: str) -> GetAreaConcentrationLevel:
    if value in GET_AREA_CONCENTRATION_LEVEL_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GET_AREA_CONCENTRATION_LEVEL_VALUES!r}"
    )
