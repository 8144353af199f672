from typing import Literal

GetCalibrationChartKind = Literal["png", "svg"]

GET_CALIBRATION_CHART_KIND_VALUES: set[GetCalibrationChartKind] = {
    "png",
    "svg",
}


def check_get_calibration_chart_kind(value: str) -> GetCalibrationChartKind:
    if value in GET_CALIBRATION_CHART_KIND_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GET_CALIBRATION_CHART_KIND_VALUES!r}"
    )
