"""Institutions (children's homes, care homes, hostels) are kept out of family households.

Oldham's "super families" were children's homes: many unrelated people at one address.
An address is an institution when it is on the configured list (address key or UPRN),
when its address line names one (configurable keywords), or when its residents look
like one: at least `min_members` people with at least `min_surnames` different family
names making up at least `min_surname_share` of them. An institution's residents keep
their area but belong to no household, so household rules never aggregate them, and
property-level events at the address attach to no household either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from services.pseudonymiser import normalise

LISTED, NAMED, LOOKS_LIKE = "listed", "named", "residents"

DEFAULT_KEYWORDS = (
    "CHILDRENS HOME", "CHILDREN HOME", "CARE HOME", "NURSING HOME", "RESIDENTIAL HOME",
    "REST HOME", "HOSTEL", "WOMENS REFUGE", "REFUGE", "NIGHT SHELTER", "SUPPORTED HOUSING",
    "SUPPORTED LIVING", "FOYER", "HALLS OF RESIDENCE", "BAIL HOSTEL", "APPROVED PREMISES",
)


@dataclass(frozen=True)
class InstitutionRules:
    keywords: tuple[str, ...] = DEFAULT_KEYWORDS
    listed: frozenset[str] = field(default_factory=frozenset)  # address keys or UPRNs
    min_members: int = 6
    min_surnames: int = 4
    min_surname_share: float = 0.6

    def by_address(self, address_key: str | None, address: str | None,
                   uprn: str | None = None) -> str | None:
        """An institution known from the address alone (list or name), else None."""
        if (address_key and address_key in self.listed) or (
                uprn and normalise.uprn(uprn) in self.listed):
            return LISTED
        line = " " + " ".join(normalise.fold(address).replace("'", "").split()) + " "
        if any(f" {k} " in line for k in self.keywords):
            return NAMED
        return None

    def by_residents(self, family_names: Iterable[str | None]) -> str | None:
        """An institution by the look of its residents (one family name per person)."""
        names = [n for n in family_names]
        distinct = {n for n in names if n}
        if (len(names) >= self.min_members and len(distinct) >= self.min_surnames
                and len(distinct) / len(names) >= self.min_surname_share):
            return LOOKS_LIKE
        return None
