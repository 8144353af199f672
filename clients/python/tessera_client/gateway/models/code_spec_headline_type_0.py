from typing import Literal

CodeSpecHeadlineType0 = Literal[
    "children-need-help",
    "crime-asb",
    "domestic-abuse",
    "health",
    "school-attendance",
    "worklessness-finance",
]

CODE_SPEC_HEADLINE_TYPE_0_VALUES: set[CodeSpecHeadlineType0] = {
    "children-need-help",
    "crime-asb",
    "domestic-abuse",
    "health",
    "school-attendance",
    "worklessness-finance",
}


def check_code_spec_headline_type_0(value: str) -> CodeSpecHeadlineType0:
    if value in CODE_SPEC_HEADLINE_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CODE_SPEC_HEADLINE_TYPE_0_VALUES!r}"
    )
