from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.receipt_removed import ReceiptRemoved


T = TypeVar("T", bound="Receipt")


@_attrs_define
class Receipt:
    """
    Attributes:
        receipt_id (str):
        service (str):
        reason (str):
        agreement (None | str):
        at (str):
        removed (ReceiptRemoved):
        kid (str):
        sig (str):
    """

    receipt_id: str
    service: str
    reason: str
    agreement: None | str
    at: str
    removed: ReceiptRemoved
    kid: str
    sig: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        receipt_id = self.receipt_id

        service = self.service

        reason = self.reason

        agreement: None | str
        agreement = self.agreement

        at = self.at

        removed = self.removed.to_dict()

        kid = self.kid

        sig = self.sig

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "receipt_id": receipt_id,
                "service": service,
                "reason": reason,
                "agreement": agreement,
                "at": at,
                "removed": removed,
                "kid": kid,
                "sig": sig,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.receipt_removed import ReceiptRemoved

        d = dict(src_dict)
        receipt_id = d.pop("receipt_id")

        service = d.pop("service")

        reason = d.pop("reason")

        def _parse_agreement(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        agreement = _parse_agreement(d.pop("agreement"))

        at = d.pop("at")

        removed = ReceiptRemoved.from_dict(d.pop("removed"))

        kid = d.pop("kid")

        sig = d.pop("sig")

        receipt = cls(
            receipt_id=receipt_id,
            service=service,
            reason=reason,
            agreement=agreement,
            at=at,
            removed=removed,
            kid=kid,
            sig=sig,
        )

        receipt.additional_properties = d
        return receipt

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
