from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.code_out import CodeOut


T = TypeVar("T", bound="DatasetOut")


@_attrs_define
class DatasetOut:
    """
    Attributes:
        id (str):
        kind (str):
        level (str):
        codes (list[CodeOut]):
        agreement (None | str | Unset):
        one_record_per_person (bool | Unset):  Default: False.
        retired_on (datetime.date | None | Unset):
    """

    id: str
    kind: str
    level: str
    codes: list[CodeOut]
    agreement: None | str | Unset = UNSET
    one_record_per_person: bool | Unset = False
    retired_on: datetime.date | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind

        level = self.level

        codes = []
        for codes_item_data in self.codes:
            codes_item = codes_item_data.to_dict()
            codes.append(codes_item)

        agreement: None | str | Unset
        if isinstance(self.agreement, Unset):
            agreement = UNSET
        else:
            agreement = self.agreement

        one_record_per_person = self.one_record_per_person

        retired_on: None | str | Unset
        if isinstance(self.retired_on, Unset):
            retired_on = UNSET
        elif isinstance(self.retired_on, datetime.date):
            retired_on = self.retired_on.isoformat()
        else:
            retired_on = self.retired_on

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "level": level,
                "codes": codes,
            }
        )
        if agreement is not UNSET:
            field_dict["agreement"] = agreement
        if one_record_per_person is not UNSET:
            field_dict["one_record_per_person"] = one_record_per_person
        if retired_on is not UNSET:
            field_dict["retired_on"] = retired_on

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.code_out import CodeOut

        d = dict(src_dict)
        id = d.pop("id")

        kind = d.pop("kind")

        level = d.pop("level")

        codes = []
        _codes = d.pop("codes")
        for codes_item_data in _codes:
            codes_item = CodeOut.from_dict(codes_item_data)

            codes.append(codes_item)

        def _parse_agreement(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agreement = _parse_agreement(d.pop("agreement", UNSET))

        one_record_per_person = d.pop("one_record_per_person", UNSET)

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

        dataset_out = cls(
            id=id,
            kind=kind,
            level=level,
            codes=codes,
            agreement=agreement,
            one_record_per_person=one_record_per_person,
            retired_on=retired_on,
        )

        dataset_out.additional_properties = d
        return dataset_out

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
