from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReviewRecord")


@_attrs_define
class ReviewRecord:
    """One side of a pair, as a linkage officer needs it to decide (identity only).

    Attributes:
        record_token (str):
        partner (str):
        dataset (str):
        given_name (None | str):
        family_name (None | str):
        date_of_birth (datetime.date | None):
        sex (None | str):
        address (None | str):
        postcode (None | str):
    """

    record_token: str
    partner: str
    dataset: str
    given_name: None | str
    family_name: None | str
    date_of_birth: datetime.date | None
    sex: None | str
    address: None | str
    postcode: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        record_token = self.record_token

        partner = self.partner

        dataset = self.dataset

        given_name: None | str
        given_name = self.given_name

        family_name: None | str
        family_name = self.family_name

        date_of_birth: None | str
        if isinstance(self.date_of_birth, datetime.date):
            date_of_birth = self.date_of_birth.isoformat()
        else:
            date_of_birth = self.date_of_birth

        sex: None | str
        sex = self.sex

        address: None | str
        address = self.address

        postcode: None | str
        postcode = self.postcode

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "record_token": record_token,
                "partner": partner,
                "dataset": dataset,
                "given_name": given_name,
                "family_name": family_name,
                "date_of_birth": date_of_birth,
                "sex": sex,
                "address": address,
                "postcode": postcode,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        record_token = d.pop("record_token")

        partner = d.pop("partner")

        dataset = d.pop("dataset")

        def _parse_given_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        given_name = _parse_given_name(d.pop("given_name"))

        def _parse_family_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        family_name = _parse_family_name(d.pop("family_name"))

        def _parse_date_of_birth(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                date_of_birth_type_0 = datetime.date.fromisoformat(data)

                return date_of_birth_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        date_of_birth = _parse_date_of_birth(d.pop("date_of_birth"))

        def _parse_sex(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sex = _parse_sex(d.pop("sex"))

        def _parse_address(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        address = _parse_address(d.pop("address"))

        def _parse_postcode(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        postcode = _parse_postcode(d.pop("postcode"))

        review_record = cls(
            record_token=record_token,
            partner=partner,
            dataset=dataset,
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            sex=sex,
            address=address,
            postcode=postcode,
        )

        review_record.additional_properties = d
        return review_record

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
