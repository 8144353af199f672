from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.opt_out_row_status import OptOutRowStatus, check_opt_out_row_status
from ..types import UNSET, Unset

T = TypeVar("T", bound="OptOutRow")


@_attrs_define
class OptOutRow:
    """A row of an opt-outs upload: a person's objection (or consent) as the partner
    recorded it, with who it covers (``scope``).

        Attributes:
            local_id (str):
            given_name (None | str | Unset):
            family_name (None | str | Unset):
            date_of_birth (datetime.date | None | Unset):
            sex (None | str | Unset):
            address (None | str | Unset):
            address_line_2 (None | str | Unset): A second address line: building, estate or district.
            locality (None | str | Unset): Town, village or suburb.
            postcode (None | str | Unset):
            nhs_number (None | str | Unset):
            uprn (None | str | Unset):
            scope (str | Unset):  Default: 'all'.
            evidence (None | str | Unset):
            notice_version (None | str | Unset):
            decided_on (datetime.date | None | Unset):
            status (OptOutRowStatus | Unset):  Default: 'opt_out'.
    """

    local_id: str
    given_name: None | str | Unset = UNSET
    family_name: None | str | Unset = UNSET
    date_of_birth: datetime.date | None | Unset = UNSET
    sex: None | str | Unset = UNSET
    address: None | str | Unset = UNSET
    address_line_2: None | str | Unset = UNSET
    locality: None | str | Unset = UNSET
    postcode: None | str | Unset = UNSET
    nhs_number: None | str | Unset = UNSET
    uprn: None | str | Unset = UNSET
    scope: str | Unset = "all"
    evidence: None | str | Unset = UNSET
    notice_version: None | str | Unset = UNSET
    decided_on: datetime.date | None | Unset = UNSET
    status: OptOutRowStatus | Unset = "opt_out"

    def to_dict(self) -> dict[str, Any]:
        local_id = self.local_id

        given_name: None | str | Unset
        if isinstance(self.given_name, Unset):
            given_name = UNSET
        else:
            given_name = self.given_name

        family_name: None | str | Unset
        if isinstance(self.family_name, Unset):
            family_name = UNSET
        else:
            family_name = self.family_name

        date_of_birth: None | str | Unset
        if isinstance(self.date_of_birth, Unset):
            date_of_birth = UNSET
        elif isinstance(self.date_of_birth, datetime.date):
            date_of_birth = self.date_of_birth.isoformat()
        else:
            date_of_birth = self.date_of_birth

        sex: None | str | Unset
        if isinstance(self.sex, Unset):
            sex = UNSET
        else:
            sex = self.sex

        address: None | str | Unset
        if isinstance(self.address, Unset):
            address = UNSET
        else:
            address = self.address

        address_line_2: None | str | Unset
        if isinstance(self.address_line_2, Unset):
            address_line_2 = UNSET
        else:
            address_line_2 = self.address_line_2

        locality: None | str | Unset
        if isinstance(self.locality, Unset):
            locality = UNSET
        else:
            locality = self.locality

        postcode: None | str | Unset
        if isinstance(self.postcode, Unset):
            postcode = UNSET
        else:
            postcode = self.postcode

        nhs_number: None | str | Unset
        if isinstance(self.nhs_number, Unset):
            nhs_number = UNSET
        else:
            nhs_number = self.nhs_number

        uprn: None | str | Unset
        if isinstance(self.uprn, Unset):
            uprn = UNSET
        else:
            uprn = self.uprn

        scope = self.scope

        evidence: None | str | Unset
        if isinstance(self.evidence, Unset):
            evidence = UNSET
        else:
            evidence = self.evidence

        notice_version: None | str | Unset
        if isinstance(self.notice_version, Unset):
            notice_version = UNSET
        else:
            notice_version = self.notice_version

        decided_on: None | str | Unset
        if isinstance(self.decided_on, Unset):
            decided_on = UNSET
        elif isinstance(self.decided_on, datetime.date):
            decided_on = self.decided_on.isoformat()
        else:
            decided_on = self.decided_on

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "local_id": local_id,
            }
        )
        if given_name is not UNSET:
            field_dict["given_name"] = given_name
        if family_name is not UNSET:
            field_dict["family_name"] = family_name
        if date_of_birth is not UNSET:
            field_dict["date_of_birth"] = date_of_birth
        if sex is not UNSET:
            field_dict["sex"] = sex
        if address is not UNSET:
            field_dict["address"] = address
        if address_line_2 is not UNSET:
            field_dict["address_line_2"] = address_line_2
        if locality is not UNSET:
            field_dict["locality"] = locality
        if postcode is not UNSET:
            field_dict["postcode"] = postcode
        if nhs_number is not UNSET:
            field_dict["nhs_number"] = nhs_number
        if uprn is not UNSET:
            field_dict["uprn"] = uprn
        if scope is not UNSET:
            field_dict["scope"] = scope
        if evidence is not UNSET:
            field_dict["evidence"] = evidence
        if notice_version is not UNSET:
            field_dict["notice_version"] = notice_version
        if decided_on is not UNSET:
            field_dict["decided_on"] = decided_on
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        local_id = d.pop("local_id")

        def _parse_given_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        given_name = _parse_given_name(d.pop("given_name", UNSET))

        def _parse_family_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        family_name = _parse_family_name(d.pop("family_name", UNSET))

        def _parse_date_of_birth(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                date_of_birth_type_0 = datetime.date.fromisoformat(data)

                return date_of_birth_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        date_of_birth = _parse_date_of_birth(d.pop("date_of_birth", UNSET))

        def _parse_sex(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sex = _parse_sex(d.pop("sex", UNSET))

        def _parse_address(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        address = _parse_address(d.pop("address", UNSET))

        def _parse_address_line_2(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        address_line_2 = _parse_address_line_2(d.pop("address_line_2", UNSET))

        def _parse_locality(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        locality = _parse_locality(d.pop("locality", UNSET))

        def _parse_postcode(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        postcode = _parse_postcode(d.pop("postcode", UNSET))

        def _parse_nhs_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        nhs_number = _parse_nhs_number(d.pop("nhs_number", UNSET))

        def _parse_uprn(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        uprn = _parse_uprn(d.pop("uprn", UNSET))

        scope = d.pop("scope", UNSET)

        def _parse_evidence(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        evidence = _parse_evidence(d.pop("evidence", UNSET))

        def _parse_notice_version(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        notice_version = _parse_notice_version(d.pop("notice_version", UNSET))

        def _parse_decided_on(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                decided_on_type_0 = datetime.date.fromisoformat(data)

                return decided_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        decided_on = _parse_decided_on(d.pop("decided_on", UNSET))

        _status = d.pop("status", UNSET)
        status: OptOutRowStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = check_opt_out_row_status(_status)

        opt_out_row = cls(
            local_id=local_id,
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            sex=sex,
            address=address,
            address_line_2=address_line_2,
            locality=locality,
            postcode=postcode,
            nhs_number=nhs_number,
            uprn=uprn,
            scope=scope,
            evidence=evidence,
            notice_version=notice_version,
            decided_on=decided_on,
            status=status,
        )

        return opt_out_row
