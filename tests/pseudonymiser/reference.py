"""A reference answer to a reidentify request, from the records one query at a time: the
responder's one-statement and synchronous SQLite answers must agree with it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.pseudonymiser import repository as repo
from services.pseudonymiser.identity import Answer, Ask, build_identity
from services.pseudonymiser.models import IdentityRecord, Person


async def _found(session: AsyncSession, persons: list[Person]) -> Answer:
    """The identities of these persons, and the partners whose records they came from."""
    records = await repo.records_of_persons(session, [p.id for p in persons], level="person")
    by_person: dict[int, list[IdentityRecord]] = {}
    for r in records:
        by_person.setdefault(r.person_id, []).append(r)
    return Answer(found=True,
                  subjects=[build_identity(by_person[p.id]) for p in persons
                            if p.id in by_person],
                  partners=frozenset(r.partner for r in records if r.partner))


async def reidentify(session: AsyncSession, request: Ask) -> Answer:
    if request.level == "person":
        person = await repo.person_by_pseudonym(session, request.pseudonym)
        if person is None or person.merged_into is not None:
            return Answer(found=False)
        if person.withheld:
            return Answer(found=True, withheld=True, subjects=[])
        return await _found(session, [person])
    household = await repo.household_by_pseudonym(session, request.pseudonym)
    if household is None:
        return Answer(found=False)
    members = await repo.household_members(session, household.id)
    visible = [p for p in members if not p.withheld]
    if members and not visible:
        return Answer(found=True, withheld=True, subjects=[])
    return await _found(session, visible)
