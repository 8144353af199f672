from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="MeasureRequest")


@_attrs_define
class MeasureRequest:
    """
    Attributes:
        through (None | str | Unset): Measure every member at each month end through this month (YYYY-MM, ended);
            default the last month ended
    """

    through: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        through: None | str | Unset
        if isinstance(self.through, Unset):
            through = UNSET
        else:
            through = self.through

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if through is not UNSET:
            field_dict["through"] = through

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_through(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        through = _parse_through(d.pop("through", UNSET))

        measure_request = cls(
            through=through,
        )

        return measure_request
