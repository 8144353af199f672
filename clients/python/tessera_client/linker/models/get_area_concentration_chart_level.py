from typing import Literal

GetAreaConcentrationChartLevel = Literal["locality", "lsoa", "ward"]

GET_AREA_CONCENTRATION_CHART_LEVEL_VALUES: set[GetAreaConcentrationChartLevel] = {
    "locality",
    "lsoa",
    "ward",
}


def check_get_area_concentration_chart_level(
    value: str,
) -> GetAreaConcentrationChartLevel:
    if value in GET_AREA_CONCENTRATION_CHART_LEVEL_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GET_AREA_CONCENTRATION_CHART_LEVEL_VALUES!r}"
    )
