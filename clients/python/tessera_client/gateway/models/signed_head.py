from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SignedHead")


@_attrs_define
class SignedHead:
    """The access log's head (seq and hash of the newest entry, when it was written),
    signed by reidentify's log key; ``kid`` names the key.

        Attributes:
            seq (int):
            hash_ (str):
            at (str):
            sig (str):
            kid (None | str | Unset):
    """

    seq: int
    hash_: str
    at: str
    sig: str
    kid: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        seq = self.seq

        hash_ = self.hash_

        at = self.at

        sig = self.sig

        kid: None | str | Unset
        if isinstance(self.kid, Unset):
            kid = UNSET
        else:
            kid = self.kid

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "seq": seq,
                "hash": hash_,
                "at": at,
                "sig": sig,
            }
        )
        if kid is not UNSET:
            field_dict["kid"] = kid

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        seq = d.pop("seq")

        hash_ = d.pop("hash")

        at = d.pop("at")

        sig = d.pop("sig")

        def _parse_kid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        kid = _parse_kid(d.pop("kid", UNSET))

        signed_head = cls(
            seq=seq,
            hash_=hash_,
            at=at,
            sig=sig,
            kid=kid,
        )

        return signed_head
