"""Answers to reidentify requests: one identity per person, built from their records.

The identity is returned to the requester and never logged or stored elsewhere.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.pseudonymiser import repository as repo
from services.pseudonymiser.models import IdentityRecord, Person


def _first(records: list[IdentityRecord], attr: str, better=None):
    values = [getattr(r, attr) for r in records if getattr(r, attr) not in (None, "")]
    if better:
        preferred = [v for v in values if better(v)]
        values = preferred or values
    return values[0] if values else None


def build_identity(records: list[IdentityRecord]) -> m.Identity:
    """Most recent non-empty value of each field; full given names over initials; address
    and postcode taken together from the most recent record that has an address."""
    records = sorted(records, key=lambda r: r.received_seq, reverse=True)
    with_address = [r for r in records if r.address]
    home = with_address[0] if with_address else None
    return m.Identity(
        given_name=_first(records, "given_name", better=lambda v: len(v.strip(" .")) > 1),
        family_name=_first(records, "family_name"),
        date_of_birth=_first(records, "date_of_birth"),
        sex=_first(records, "sex"),
        address=home.address if home else None,
        postcode=(home.postcode if home and home.postcode else _first(records, "postcode")),
    )


async def _identities(session: AsyncSession, persons: list[Person]) -> list[m.Identity]:
    records = await repo.records_of_persons(session, [p.id for p in persons], level="person")
    by_person: dict[int, list[IdentityRecord]] = {}
    for r in records:
        by_person.setdefault(r.person_id, []).append(r)
    return [build_identity(by_person[p.id]) for p in persons if p.id in by_person]


async def reidentify(session: AsyncSession, request: m.ReidentifyRequest) -> m.ReidentifyReply:
    if request.level == "person":
        person = await repo.person_by_pseudonym(session, request.pseudonym)
        if person is None or person.merged_into is not None:
            return m.ReidentifyReply(found=False)
        if person.withheld:
            return m.ReidentifyReply(found=True, withheld=True, subjects=[])
        return m.ReidentifyReply(found=True, subjects=await _identities(session, [person]))
    household = await repo.household_by_pseudonym(session, request.pseudonym)
    if household is None:
        return m.ReidentifyReply(found=False)
    members = await repo.household_members(session, household.id)
    visible = [p for p in members if not p.withheld]
    if members and not visible:
        return m.ReidentifyReply(found=True, withheld=True, subjects=[])
    return m.ReidentifyReply(found=True, subjects=await _identities(session, visible))
