from typing import Literal

GetAreaProfileChartLevel = Literal["locality", "lsoa", "ward"]

GET_AREA_PROFILE_CHART_LEVEL_VALUES: set[GetAreaProfileChartLevel] = {
    "locality",
    "lsoa",
    "ward",
}


def check_get_area_profile_chart_level(value: str) -> GetAreaProfileChartLevel:
    if value in GET_AREA_PROFILE_CHART_LEVEL_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GET_AREA_PROFILE_CHART_LEVEL_VALUES!r}"
    )
