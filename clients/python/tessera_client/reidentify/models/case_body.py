from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.case_body_requester import CaseBodyRequester, check_case_body_requester

T = TypeVar("T", bound="CaseBody")


@_attrs_define
class CaseBody:
    """
    Attributes:
        reference (str): The council's reference for the request (never the person's name: reidentify holds no identity)
        requester (CaseBodyRequester): Who made the request: the data subject, or someone acting for them
        justification (str):
    """

    reference: str
    requester: CaseBodyRequester
    justification: str

    def to_dict(self) -> dict[str, Any]:
        reference = self.reference

        requester: str = self.requester

        justification = self.justification

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reference": reference,
                "requester": requester,
                "justification": justification,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        reference = d.pop("reference")

        requester = check_case_body_requester(d.pop("requester"))

        justification = d.pop("justification")

        case_body = cls(
            reference=reference,
            requester=requester,
            justification=justification,
        )

        return case_body
