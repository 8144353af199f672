from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DisclosureNote")


@_attrs_define
class DisclosureNote:
    """What was done to the counts of one response, so that a reader can tell a hidden count
    from a missing one (SATRE 3.3.09: the criteria travel with the output).

        Attributes:
            threshold (int): k: the smallest non-zero count shown.
            counts (int): Counts in the response the rule was applied to.
            hidden (int): Counts hidden: shown as null.
            secondary (int): Of those, hidden only so that others stay hidden.
            rule (str | Unset): The rule applied to every count released. Default: 'counts from 1 to k-1 are hidden; further
                counts are hidden until no hidden count, no group of 1 to k-1 the counts separate and no difference of 1 to k-1
                between a count and one it contains can be worked out from the counts shown'.
    """

    threshold: int
    counts: int
    hidden: int
    secondary: int
    rule: str | Unset = (
        "counts from 1 to k-1 are hidden; further counts are hidden until no hidden count, no group of 1 to k-1 the counts separate and no difference of 1 to k-1 between a count and one it contains can be worked out from the counts shown"
    )
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        threshold = self.threshold

        counts = self.counts

        hidden = self.hidden

        secondary = self.secondary

        rule = self.rule

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "threshold": threshold,
                "counts": counts,
                "hidden": hidden,
                "secondary": secondary,
            }
        )
        if rule is not UNSET:
            field_dict["rule"] = rule

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        threshold = d.pop("threshold")

        counts = d.pop("counts")

        hidden = d.pop("hidden")

        secondary = d.pop("secondary")

        rule = d.pop("rule", UNSET)

        disclosure_note = cls(
            threshold=threshold,
            counts=counts,
            hidden=hidden,
            secondary=secondary,
            rule=rule,
        )

        disclosure_note.additional_properties = d
        return disclosure_note

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
