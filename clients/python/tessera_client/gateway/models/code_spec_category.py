from typing import Literal

CodeSpecCategory = Literal["health", "non_health"]

CODE_SPEC_CATEGORY_VALUES: set[CodeSpecCategory] = {
    "health",
    "non_health",
}


def check_code_spec_category(value: str) -> CodeSpecCategory:
    if value in CODE_SPEC_CATEGORY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CODE_SPEC_CATEGORY_VALUES!r}"
    )
