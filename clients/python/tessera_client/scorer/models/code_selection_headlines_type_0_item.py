from typing import Literal

CodeSelectionHeadlinesType0Item = Literal[
    "children-need-help",
    "crime-asb",
    "domestic-abuse",
    "health",
    "school-attendance",
    "worklessness-finance",
]

CODE_SELECTION_HEADLINES_TYPE_0_ITEM_VALUES: set[CodeSelectionHeadlinesType0Item] = {
    "children-need-help",
    "crime-asb",
    "domestic-abuse",
    "health",
    "school-attendance",
    "worklessness-finance",
}


def check_code_selection_headlines_type_0_item(
    value: str,
) -> CodeSelectionHeadlinesType0Item:
    if value in CODE_SELECTION_HEADLINES_TYPE_0_ITEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CODE_SELECTION_HEADLINES_TYPE_0_ITEM_VALUES!r}"
    )
