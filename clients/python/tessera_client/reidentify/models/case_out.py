from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CaseOut")


@_attrs_define
class CaseOut:
    """
    Attributes:
        case_id (str):
        reference (str):
        requester (str):
        justification (str):
        opened_by (str):
        opened_org (None | str):
        opened_at (datetime.datetime):
        expires_at (datetime.datetime):
        closed_at (datetime.datetime | None):
        closed_by (None | str):
        open_ (bool):
        access_id (int | None | Unset): The entry this change wrote
    """

    case_id: str
    reference: str
    requester: str
    justification: str
    opened_by: str
    opened_org: None | str
    opened_at: datetime.datetime
    expires_at: datetime.datetime
    closed_at: datetime.datetime | None
    closed_by: None | str
    open_: bool
    access_id: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        case_id = self.case_id

        reference = self.reference

        requester = self.requester

        justification = self.justification

        opened_by = self.opened_by

        opened_org: None | str
        opened_org = self.opened_org

        opened_at = self.opened_at.isoformat()

        expires_at = self.expires_at.isoformat()

        closed_at: None | str
        if isinstance(self.closed_at, datetime.datetime):
            closed_at = self.closed_at.isoformat()
        else:
            closed_at = self.closed_at

        closed_by: None | str
        closed_by = self.closed_by

        open_ = self.open_

        access_id: int | None | Unset
        if isinstance(self.access_id, Unset):
            access_id = UNSET
        else:
            access_id = self.access_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "case_id": case_id,
                "reference": reference,
                "requester": requester,
                "justification": justification,
                "opened_by": opened_by,
                "opened_org": opened_org,
                "opened_at": opened_at,
                "expires_at": expires_at,
                "closed_at": closed_at,
                "closed_by": closed_by,
                "open": open_,
            }
        )
        if access_id is not UNSET:
            field_dict["access_id"] = access_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        case_id = d.pop("case_id")

        reference = d.pop("reference")

        requester = d.pop("requester")

        justification = d.pop("justification")

        opened_by = d.pop("opened_by")

        def _parse_opened_org(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        opened_org = _parse_opened_org(d.pop("opened_org"))

        opened_at = datetime.datetime.fromisoformat(d.pop("opened_at"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        def _parse_closed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                closed_at_type_0 = datetime.datetime.fromisoformat(data)

                return closed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        closed_at = _parse_closed_at(d.pop("closed_at"))

        def _parse_closed_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        closed_by = _parse_closed_by(d.pop("closed_by"))

        open_ = d.pop("open")

        def _parse_access_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        access_id = _parse_access_id(d.pop("access_id", UNSET))

        case_out = cls(
            case_id=case_id,
            reference=reference,
            requester=requester,
            justification=justification,
            opened_by=opened_by,
            opened_org=opened_org,
            opened_at=opened_at,
            expires_at=expires_at,
            closed_at=closed_at,
            closed_by=closed_by,
            open_=open_,
            access_id=access_id,
        )

        case_out.additional_properties = d
        return case_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
