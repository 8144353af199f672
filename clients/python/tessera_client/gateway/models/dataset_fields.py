from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.dataset_fields_level import DatasetFieldsLevel, check_dataset_fields_level
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dataset_fields_codes import DatasetFieldsCodes


T = TypeVar("T", bound="DatasetFields")


@_attrs_define
class DatasetFields:
    """A partner's dataset. `level`: person (each row a person) or property (each row an
    address: police call-outs). `one_record_per_person`: the partner vouches each person
    appears once (a practice's registered list), so two of its records are never linked to
    one person. `agreement`: the data-sharing agreement its data arrives under (none: no
    uploads). Codes left out of a replacement are retired.

        Attributes:
            partner (str):
            kind (str | Unset):  Default: ''.
            level (DatasetFieldsLevel | Unset):  Default: 'person'.
            one_record_per_person (bool | Unset):  Default: False.
            agreement (None | str | Unset):
            codes (DatasetFieldsCodes | Unset):
    """

    partner: str
    kind: str | Unset = ""
    level: DatasetFieldsLevel | Unset = "person"
    one_record_per_person: bool | Unset = False
    agreement: None | str | Unset = UNSET
    codes: DatasetFieldsCodes | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        partner = self.partner

        kind = self.kind

        level: str | Unset = UNSET
        if not isinstance(self.level, Unset):
            level = self.level

        one_record_per_person = self.one_record_per_person

        agreement: None | str | Unset
        if isinstance(self.agreement, Unset):
            agreement = UNSET
        else:
            agreement = self.agreement

        codes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.codes, Unset):
            codes = self.codes.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "partner": partner,
            }
        )
        if kind is not UNSET:
            field_dict["kind"] = kind
        if level is not UNSET:
            field_dict["level"] = level
        if one_record_per_person is not UNSET:
            field_dict["one_record_per_person"] = one_record_per_person
        if agreement is not UNSET:
            field_dict["agreement"] = agreement
        if codes is not UNSET:
            field_dict["codes"] = codes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.dataset_fields_codes import DatasetFieldsCodes

        d = dict(src_dict)
        partner = d.pop("partner")

        kind = d.pop("kind", UNSET)

        _level = d.pop("level", UNSET)
        level: DatasetFieldsLevel | Unset
        if isinstance(_level, Unset):
            level = UNSET
        else:
            level = check_dataset_fields_level(_level)

        one_record_per_person = d.pop("one_record_per_person", UNSET)

        def _parse_agreement(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agreement = _parse_agreement(d.pop("agreement", UNSET))

        _codes = d.pop("codes", UNSET)
        codes: DatasetFieldsCodes | Unset
        if isinstance(_codes, Unset):
            codes = UNSET
        else:
            codes = DatasetFieldsCodes.from_dict(_codes)

        dataset_fields = cls(
            partner=partner,
            kind=kind,
            level=level,
            one_record_per_person=one_record_per_person,
            agreement=agreement,
            codes=codes,
        )

        return dataset_fields
