from typing import Literal

MeasureHeadlineType0 = Literal[
    "children-need-help",
    "crime-asb",
    "domestic-abuse",
    "health",
    "school-attendance",
    "worklessness-finance",
]

MEASURE_HEADLINE_TYPE_0_VALUES: set[MeasureHeadlineType0] = {
    "children-need-help",
    "crime-asb",
    "domestic-abuse",
    "health",
    "school-attendance",
    "worklessness-finance",
}


def check_measure_headline_type_0(value: str) -> MeasureHeadlineType0:
    if value in MEASURE_HEADLINE_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {MEASURE_HEADLINE_TYPE_0_VALUES!r}"
    )
