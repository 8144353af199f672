from typing import Literal

CodeSelectionCategoriesItem = Literal["health", "non_health"]

CODE_SELECTION_CATEGORIES_ITEM_VALUES: set[CodeSelectionCategoriesItem] = {
    "health",
    "non_health",
}


def check_code_selection_categories_item(value: str) -> CodeSelectionCategoriesItem:
    if value in CODE_SELECTION_CATEGORIES_ITEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CODE_SELECTION_CATEGORIES_ITEM_VALUES!r}"
    )
