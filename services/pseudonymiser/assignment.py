"""Assignments: a new version of each record's person, household and area, as the
linker and consent are sent them; and who an opt-out's records turned out to be."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.pseudonymiser import repository as repo
from services.pseudonymiser.models import IdentityRecord
from services.pseudonymiser.placement import Placement


async def assign(session: AsyncSession, tokens: set[str], person_ids: set[int],
                 known: dict[str, IdentityRecord] | None = None,
                 complete: set[int] = frozenset(),
                 place: Placement | None = None) -> list[m.Assignment]:
    """A new assignment version for the given data records and all of these persons'.
    `complete`: persons whose records are all in `known` (new in this batch); `place`:
    the persons and households a placement just loaded."""
    records = {t: r for t, r in (known or {}).items() if t in tokens}
    stored = [r for r in await repo.assignable(session, tokens - records.keys(),
                                               person_ids - complete)
              if r.record_token not in records]
    records.update({r.record_token: r for r in stored})
    for r in (known or {}).values():
        if r.person_id in complete and r.person_id in person_ids:
            records.setdefault(r.record_token, r)
    records = {t: r for t, r in records.items() if r.purpose == "data"}
    wanted = {r.person_id for r in records.values() if r.person_id}
    persons = {pid: p for pid, p in (place.persons if place else {}).items() if pid in wanted}
    persons.update(await repo.persons_by_id(session, wanted - persons.keys()))
    for r in records.values():
        if r.level == "person" and r.person_id in persons:
            r.household_id = persons[r.person_id].household_id
    wanted = {r.household_id for r in records.values() if r.household_id is not None}
    households = {hid: h for hid, h in (place.households if place else {}).items()
                  if hid in wanted}
    households.update(await repo.households_by_id(session, wanted - households.keys()))
    out = []
    for token in sorted(records, key=lambda t: records[t].received_seq):
        r = records[token]
        r.version = (r.version or 0) + 1
        h = households.get(r.household_id)
        p = persons.get(r.person_id) if r.level == "person" else None
        family = h if h is not None and not h.institution else None
        # our own typed columns: built without validating each of thousands
        out.append(m.Assignment.model_construct(
            record_token=token, level=r.level, person=p.pseudonym if p else None,
            household=family.pseudonym if family else None, area=h.area if h else None,
            lsoa=h.lsoa if h else None,
            withheld=bool(p and p.withheld), version=r.version,
        ))
    await repo.set_versions(session, stored)
    return out


async def resolved(session: AsyncSession, records) -> list[m.OptoutResolved]:
    people = [r for r in records if r.level == "person" and r.person_id]
    persons = await repo.persons_by_id(session, {r.person_id for r in people})
    households = await repo.households_by_id(
        session, {p.household_id for p in persons.values()})
    out = []
    for r in people:
        p = persons[r.person_id]
        h = households.get(p.household_id)
        out.append(m.OptoutResolved(record_token=r.record_token, person=p.pseudonym,
                                    household=h.pseudonym if h else None))
    return out
