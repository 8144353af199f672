from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.revision_terms import RevisionTerms


T = TypeVar("T", bound="Revision")


@_attrs_define
class Revision:
    """
    Attributes:
        revision (int):
        at (datetime.datetime):
        actor (str):
        terms (RevisionTerms):
    """

    revision: int
    at: datetime.datetime
    actor: str
    terms: RevisionTerms
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        revision = self.revision

        at = self.at.isoformat()

        actor = self.actor

        terms = self.terms.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "revision": revision,
                "at": at,
                "actor": actor,
                "terms": terms,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.revision_terms import RevisionTerms

        d = dict(src_dict)
        revision = d.pop("revision")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        actor = d.pop("actor")

        terms = RevisionTerms.from_dict(d.pop("terms"))

        revision = cls(
            revision=revision,
            at=at,
            actor=actor,
            terms=terms,
        )

        revision.additional_properties = d
        return revision

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
