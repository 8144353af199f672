from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.partner_out_managed_by import (
    PartnerOutManagedBy,
    check_partner_out_managed_by,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="PartnerOut")


@_attrs_define
class PartnerOut:
    """
    Attributes:
        name (str):
        id (str):
        managed_by (PartnerOutManagedBy):
        retired_on (datetime.date | None | Unset):
    """

    name: str
    id: str
    managed_by: PartnerOutManagedBy
    retired_on: datetime.date | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        id = self.id

        managed_by: str = self.managed_by

        retired_on: None | str | Unset
        if isinstance(self.retired_on, Unset):
            retired_on = UNSET
        elif isinstance(self.retired_on, datetime.date):
            retired_on = self.retired_on.isoformat()
        else:
            retired_on = self.retired_on

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "id": id,
                "managed_by": managed_by,
            }
        )
        if retired_on is not UNSET:
            field_dict["retired_on"] = retired_on

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        id = d.pop("id")

        managed_by = check_partner_out_managed_by(d.pop("managed_by"))

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

        partner_out = cls(
            name=name,
            id=id,
            managed_by=managed_by,
            retired_on=retired_on,
        )

        return partner_out
