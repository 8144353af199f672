from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.review_pair_out import ReviewPairOut


T = TypeVar("T", bound="ReviewOutcome")


@_attrs_define
class ReviewOutcome:
    """
    Attributes:
        pair (ReviewPairOut):
        changes (int):
        reassigned (int):
    """

    pair: ReviewPairOut
    changes: int
    reassigned: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pair = self.pair.to_dict()

        changes = self.changes

        reassigned = self.reassigned

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "pair": pair,
                "changes": changes,
                "reassigned": reassigned,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.review_pair_out import ReviewPairOut

        d = dict(src_dict)
        pair = ReviewPairOut.from_dict(d.pop("pair"))

        changes = d.pop("changes")

        reassigned = d.pop("reassigned")

        review_outcome = cls(
            pair=pair,
            changes=changes,
            reassigned=reassigned,
        )

        review_outcome.additional_properties = d
        return review_outcome

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
