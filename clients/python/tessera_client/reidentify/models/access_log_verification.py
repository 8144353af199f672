from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.access_log_verification_copies import AccessLogVerificationCopies


T = TypeVar("T", bound="AccessLogVerification")


@_attrs_define
class AccessLogVerification:
    """
    Attributes:
        verified_at (datetime.datetime): When this check ran: the log as it stood then
        entries (int):
        head (None | str):
        valid (bool):
        first_bad_seq (int | None):
        problem (None | str | Unset): The first problem found: chain, truncated, head-mismatch, head-signature, head-
            key, heads-missing, heads-differ, heads-unavailable, release-unlogged, releases-unavailable
        problems (list[str] | Unset):
        signed_heads (int | Unset): Heads in the local export Default: 0.
        bad_signed_heads (int | Unset):  Default: 0.
        last_signed_seq (int | None | Unset):
        copies (AccessLogVerificationCopies | Unset): Heads in each copy (None: the copy could not be read)
        missing_heads (int | Unset):  Default: 0.
        unsigned_entries (int | Unset):  Default: 0.
        releases_checked (int | None | Unset):
        unlogged_releases (int | None | Unset):
    """

    verified_at: datetime.datetime
    entries: int
    head: None | str
    valid: bool
    first_bad_seq: int | None
    problem: None | str | Unset = UNSET
    problems: list[str] | Unset = UNSET
    signed_heads: int | Unset = 0
    bad_signed_heads: int | Unset = 0
    last_signed_seq: int | None | Unset = UNSET
    copies: AccessLogVerificationCopies | Unset = UNSET
    missing_heads: int | Unset = 0
    unsigned_entries: int | Unset = 0
    releases_checked: int | None | Unset = UNSET
    unlogged_releases: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        verified_at = self.verified_at.isoformat()

        entries = self.entries

        head: None | str
        head = self.head

        valid = self.valid

        first_bad_seq: int | None
        first_bad_seq = self.first_bad_seq

        problem: None | str | Unset
        if isinstance(self.problem, Unset):
            problem = UNSET
        else:
            problem = self.problem

        problems: list[str] | Unset = UNSET
        if not isinstance(self.problems, Unset):
            problems = self.problems

        signed_heads = self.signed_heads

        bad_signed_heads = self.bad_signed_heads

        last_signed_seq: int | None | Unset
        if isinstance(self.last_signed_seq, Unset):
            last_signed_seq = UNSET
        else:
            last_signed_seq = self.last_signed_seq

        copies: dict[str, Any] | Unset = UNSET
        if not isinstance(self.copies, Unset):
            copies = self.copies.to_dict()

        missing_heads = self.missing_heads

        unsigned_entries = self.unsigned_entries

        releases_checked: int | None | Unset
        if isinstance(self.releases_checked, Unset):
            releases_checked = UNSET
        else:
            releases_checked = self.releases_checked

        unlogged_releases: int | None | Unset
        if isinstance(self.unlogged_releases, Unset):
            unlogged_releases = UNSET
        else:
            unlogged_releases = self.unlogged_releases

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "verified_at": verified_at,
                "entries": entries,
                "head": head,
                "valid": valid,
                "first_bad_seq": first_bad_seq,
            }
        )
        if problem is not UNSET:
            field_dict["problem"] = problem
        if problems is not UNSET:
            field_dict["problems"] = problems
        if signed_heads is not UNSET:
            field_dict["signed_heads"] = signed_heads
        if bad_signed_heads is not UNSET:
            field_dict["bad_signed_heads"] = bad_signed_heads
        if last_signed_seq is not UNSET:
            field_dict["last_signed_seq"] = last_signed_seq
        if copies is not UNSET:
            field_dict["copies"] = copies
        if missing_heads is not UNSET:
            field_dict["missing_heads"] = missing_heads
        if unsigned_entries is not UNSET:
            field_dict["unsigned_entries"] = unsigned_entries
        if releases_checked is not UNSET:
            field_dict["releases_checked"] = releases_checked
        if unlogged_releases is not UNSET:
            field_dict["unlogged_releases"] = unlogged_releases

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.access_log_verification_copies import AccessLogVerificationCopies

        d = dict(src_dict)
        verified_at = datetime.datetime.fromisoformat(d.pop("verified_at"))

        entries = d.pop("entries")

        def _parse_head(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        head = _parse_head(d.pop("head"))

        valid = d.pop("valid")

        def _parse_first_bad_seq(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        first_bad_seq = _parse_first_bad_seq(d.pop("first_bad_seq"))

        def _parse_problem(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        problem = _parse_problem(d.pop("problem", UNSET))

        problems = cast(list[str], d.pop("problems", UNSET))

        signed_heads = d.pop("signed_heads", UNSET)

        bad_signed_heads = d.pop("bad_signed_heads", UNSET)

        def _parse_last_signed_seq(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_signed_seq = _parse_last_signed_seq(d.pop("last_signed_seq", UNSET))

        _copies = d.pop("copies", UNSET)
        copies: AccessLogVerificationCopies | Unset
        if isinstance(_copies, Unset):
            copies = UNSET
        else:
            copies = AccessLogVerificationCopies.from_dict(_copies)

        missing_heads = d.pop("missing_heads", UNSET)

        unsigned_entries = d.pop("unsigned_entries", UNSET)

        def _parse_releases_checked(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        releases_checked = _parse_releases_checked(d.pop("releases_checked", UNSET))

        def _parse_unlogged_releases(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        unlogged_releases = _parse_unlogged_releases(d.pop("unlogged_releases", UNSET))

        access_log_verification = cls(
            verified_at=verified_at,
            entries=entries,
            head=head,
            valid=valid,
            first_bad_seq=first_bad_seq,
            problem=problem,
            problems=problems,
            signed_heads=signed_heads,
            bad_signed_heads=bad_signed_heads,
            last_signed_seq=last_signed_seq,
            copies=copies,
            missing_heads=missing_heads,
            unsigned_entries=unsigned_entries,
            releases_checked=releases_checked,
            unlogged_releases=unlogged_releases,
        )

        access_log_verification.additional_properties = d
        return access_log_verification

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
