from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.code_selection_categories_item import (
    CodeSelectionCategoriesItem,
    check_code_selection_categories_item,
)
from ..models.code_selection_headlines_type_0_item import (
    CodeSelectionHeadlinesType0Item,
    check_code_selection_headlines_type_0_item,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.code_selection_indicators_type_0 import CodeSelectionIndicatorsType0


T = TypeVar("T", bound="CodeSelection")


@_attrs_define
class CodeSelection:
    """Which codes count, by category and headline problem, and optionally how codes group
    into named indicators (a code named by no indicator then does not count). An indicator
    lists codes as ``CODE`` (that code in every dataset) or ``dataset/CODE`` (one
    dataset's); a dataset's code named both ways belongs to the ``dataset/CODE`` one.

        Attributes:
            categories (list[CodeSelectionCategoriesItem] | Unset):
            headlines (list[CodeSelectionHeadlinesType0Item] | None | Unset):
            indicators (CodeSelectionIndicatorsType0 | None | Unset):
    """

    categories: list[CodeSelectionCategoriesItem] | Unset = UNSET
    headlines: list[CodeSelectionHeadlinesType0Item] | None | Unset = UNSET
    indicators: CodeSelectionIndicatorsType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.code_selection_indicators_type_0 import (
            CodeSelectionIndicatorsType0,
        )

        categories: list[str] | Unset = UNSET
        if not isinstance(self.categories, Unset):
            categories = []
            for categories_item_data in self.categories:
                categories_item: str = categories_item_data
                categories.append(categories_item)

        headlines: list[str] | None | Unset
        if isinstance(self.headlines, Unset):
            headlines = UNSET
        elif isinstance(self.headlines, list):
            headlines = []
            for headlines_type_0_item_data in self.headlines:
                headlines_type_0_item: str = headlines_type_0_item_data
                headlines.append(headlines_type_0_item)

        else:
            headlines = self.headlines

        indicators: dict[str, Any] | None | Unset
        if isinstance(self.indicators, Unset):
            indicators = UNSET
        elif isinstance(self.indicators, CodeSelectionIndicatorsType0):
            indicators = self.indicators.to_dict()
        else:
            indicators = self.indicators

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if categories is not UNSET:
            field_dict["categories"] = categories
        if headlines is not UNSET:
            field_dict["headlines"] = headlines
        if indicators is not UNSET:
            field_dict["indicators"] = indicators

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.code_selection_indicators_type_0 import (
            CodeSelectionIndicatorsType0,
        )

        d = dict(src_dict)
        _categories = d.pop("categories", UNSET)
        categories: list[CodeSelectionCategoriesItem] | Unset = UNSET
        if _categories is not UNSET:
            categories = []
            for categories_item_data in _categories:
                categories_item = check_code_selection_categories_item(
                    categories_item_data
                )

                categories.append(categories_item)

        def _parse_headlines(
            data: object,
        ) -> list[CodeSelectionHeadlinesType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                headlines_type_0 = []
                _headlines_type_0 = data
                for headlines_type_0_item_data in _headlines_type_0:
                    headlines_type_0_item = check_code_selection_headlines_type_0_item(
                        headlines_type_0_item_data
                    )

                    headlines_type_0.append(headlines_type_0_item)

                return headlines_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[CodeSelectionHeadlinesType0Item] | None | Unset, data)

        headlines = _parse_headlines(d.pop("headlines", UNSET))

        def _parse_indicators(
            data: object,
        ) -> CodeSelectionIndicatorsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                indicators_type_0 = CodeSelectionIndicatorsType0.from_dict(data)

                return indicators_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CodeSelectionIndicatorsType0 | None | Unset, data)

        indicators = _parse_indicators(d.pop("indicators", UNSET))

        code_selection = cls(
            categories=categories,
            headlines=headlines,
            indicators=indicators,
        )

        return code_selection
