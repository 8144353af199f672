from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RetireBody")


@_attrs_define
class RetireBody:
    """
    Attributes:
        retired_on (datetime.date | None | Unset):
    """

    retired_on: datetime.date | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        retired_on: None | str | Unset
        if isinstance(self.retired_on, Unset):
            retired_on = UNSET
        elif isinstance(self.retired_on, datetime.date):
            retired_on = self.retired_on.isoformat()
        else:
            retired_on = self.retired_on

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if retired_on is not UNSET:
            field_dict["retired_on"] = retired_on

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_retired_on(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                retired_on_type_0 = datetime.date.fromisoformat(data)

                return retired_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        retired_on = _parse_retired_on(d.pop("retired_on", UNSET))

        retire_body = cls(
            retired_on=retired_on,
        )

        return retire_body
