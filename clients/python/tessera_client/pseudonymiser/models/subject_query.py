from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SubjectQuery")


@_attrs_define
class SubjectQuery:
    """
    Attributes:
        case (str): The open subject access case this search serves
        family_name (str):
        date_of_birth (datetime.date):
        given_name (None | str | Unset):
        postcode (None | str | Unset):
    """

    case: str
    family_name: str
    date_of_birth: datetime.date
    given_name: None | str | Unset = UNSET
    postcode: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        case = self.case

        family_name = self.family_name

        date_of_birth = self.date_of_birth.isoformat()

        given_name: None | str | Unset
        if isinstance(self.given_name, Unset):
            given_name = UNSET
        else:
            given_name = self.given_name

        postcode: None | str | Unset
        if isinstance(self.postcode, Unset):
            postcode = UNSET
        else:
            postcode = self.postcode

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "case": case,
                "family_name": family_name,
                "date_of_birth": date_of_birth,
            }
        )
        if given_name is not UNSET:
            field_dict["given_name"] = given_name
        if postcode is not UNSET:
            field_dict["postcode"] = postcode

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        case = d.pop("case")

        family_name = d.pop("family_name")

        date_of_birth = datetime.date.fromisoformat(d.pop("date_of_birth"))

        def _parse_given_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        given_name = _parse_given_name(d.pop("given_name", UNSET))

        def _parse_postcode(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        postcode = _parse_postcode(d.pop("postcode", UNSET))

        subject_query = cls(
            case=case,
            family_name=family_name,
            date_of_birth=date_of_birth,
            given_name=given_name,
            postcode=postcode,
        )

        return subject_query
