from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.stored_rule_level import StoredRuleLevel, check_stored_rule_level
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.code_selection import CodeSelection
    from ..models.conditions import Conditions
    from ..models.outcomes import Outcomes
    from ..models.weights import Weights


T = TypeVar("T", bound="StoredRule")


@_attrs_define
class StoredRule:
    """
    Attributes:
        id (str):
        title (str):
        level (StoredRuleLevel):
        purposes (list[str]):
        version (int):
        window (str | Unset):  Default: 'P6M'.
        description (None | str | Unset):
        codes (CodeSelection | Unset): Which codes count, by category and headline problem, and optionally how codes
            group
            into named indicators (a code named by no indicator then does not count). An indicator
            lists codes as ``CODE`` (that code in every dataset) or ``dataset/CODE`` (one
            dataset's); a dataset's code named both ways belongs to the ``dataset/CODE`` one.
        conditions (Conditions | Unset):
        weights (Weights | Unset):
        outcomes (None | Outcomes | Unset): Outcome measures: a family flagged under this rule joins its cohort and is
            measured each month (docs/outcomes.md)
    """

    id: str
    title: str
    level: StoredRuleLevel
    purposes: list[str]
    version: int
    window: str | Unset = "P6M"
    description: None | str | Unset = UNSET
    codes: CodeSelection | Unset = UNSET
    conditions: Conditions | Unset = UNSET
    weights: Weights | Unset = UNSET
    outcomes: None | Outcomes | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.outcomes import Outcomes

        id = self.id

        title = self.title

        level: str = self.level

        purposes = self.purposes

        version = self.version

        window = self.window

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        codes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.codes, Unset):
            codes = self.codes.to_dict()

        conditions: dict[str, Any] | Unset = UNSET
        if not isinstance(self.conditions, Unset):
            conditions = self.conditions.to_dict()

        weights: dict[str, Any] | Unset = UNSET
        if not isinstance(self.weights, Unset):
            weights = self.weights.to_dict()

        outcomes: dict[str, Any] | None | Unset
        if isinstance(self.outcomes, Unset):
            outcomes = UNSET
        elif isinstance(self.outcomes, Outcomes):
            outcomes = self.outcomes.to_dict()
        else:
            outcomes = self.outcomes

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "title": title,
                "level": level,
                "purposes": purposes,
                "version": version,
            }
        )
        if window is not UNSET:
            field_dict["window"] = window
        if description is not UNSET:
            field_dict["description"] = description
        if codes is not UNSET:
            field_dict["codes"] = codes
        if conditions is not UNSET:
            field_dict["conditions"] = conditions
        if weights is not UNSET:
            field_dict["weights"] = weights
        if outcomes is not UNSET:
            field_dict["outcomes"] = outcomes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.code_selection import CodeSelection
        from ..models.conditions import Conditions
        from ..models.outcomes import Outcomes
        from ..models.weights import Weights

        d = dict(src_dict)
        id = d.pop("id")

        title = d.pop("title")

        level = check_stored_rule_level(d.pop("level"))

        purposes = cast(list[str], d.pop("purposes"))

        version = d.pop("version")

        window = d.pop("window", UNSET)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        _codes = d.pop("codes", UNSET)
        codes: CodeSelection | Unset
        if isinstance(_codes, Unset):
            codes = UNSET
        else:
            codes = CodeSelection.from_dict(_codes)

        _conditions = d.pop("conditions", UNSET)
        conditions: Conditions | Unset
        if isinstance(_conditions, Unset):
            conditions = UNSET
        else:
            conditions = Conditions.from_dict(_conditions)

        _weights = d.pop("weights", UNSET)
        weights: Weights | Unset
        if isinstance(_weights, Unset):
            weights = UNSET
        else:
            weights = Weights.from_dict(_weights)

        def _parse_outcomes(data: object) -> None | Outcomes | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                outcomes_type_0 = Outcomes.from_dict(data)

                return outcomes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Outcomes | Unset, data)

        outcomes = _parse_outcomes(d.pop("outcomes", UNSET))

        stored_rule = cls(
            id=id,
            title=title,
            level=level,
            purposes=purposes,
            version=version,
            window=window,
            description=description,
            codes=codes,
            conditions=conditions,
            weights=weights,
            outcomes=outcomes,
        )

        return stored_rule
