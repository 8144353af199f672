"""Households: persons (by their latest address) and property records placed in them,
new households made with their pseudonyms, institutions recognised (households.py has
the rules)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.crypto import keyed_token
from services.pseudonymiser import normalise
from services.pseudonymiser import repository as repo
from services.pseudonymiser.households import LOOKS_LIKE, InstitutionRules
from services.pseudonymiser.models import Household, Person

log = logging.getLogger("tessera.pseudonymiser")


@dataclass
class Placement:
    changed: set[int]  # persons whose household changed
    tokens: set[str]  # property records to re-assign
    # what the placement loaded or created (plain rows), for the assignment
    persons: dict[int, repo.Draft]
    households: dict[int, repo.Draft]
    created: set[int] = field(default_factory=set)  # the new persons it inserted


class Households:
    def __init__(self, key: bytes, rules: InstitutionRules):
        self.key = key
        self.rules = rules

    def new(self, address_key: str, postcode: str | None, lsoa: str | None = None
            ) -> repo.Draft:
        """A household to insert (repo.insert_new), as a plain draft of a Household row."""
        u = str(uuid.uuid4())
        return repo.Draft(Household, uuid=u, address_key=address_key,
                          area=normalise.outward(postcode), lsoa=lsoa,
                          pseudonym=keyed_token(self.key, u, prefix="h_"))

    async def place(self, session: AsyncSession, person_ids: set[int], records,
                    pending: list | None = None,
                    new_persons: dict[int, Person] | None = None) -> Placement:
        """Attach persons (by their latest address) and property records to households;
        returns what changed (`Placement`). `pending`: records not stored yet (linked),
        `new_persons`: the persons created for them (by provisional id: all their
        records are pending). The new persons are inserted here, in their household (a second
        statement moving them cost 0.3 s of a 20,000-record push at 1M held), and
        their records and the placement then name them by their ids."""
        pending = pending or []
        new_persons = new_persons or {}
        rows = await repo.address_rows(session, set(person_ids) - new_persons.keys())
        rows += [(r.person_id, r.received_seq, r.address_key, r.norm_postcode)
                 for r in pending if r.person_id in person_ids]
        latest = repo.latest_addresses(rows)
        wanted: dict[str, str | None] = {key: pc for key, pc in latest.values()}
        properties = [r for r in records if r.level == "property"]
        for r in properties:
            if r.address_key:
                wanted.setdefault(r.address_key, r.norm_postcode)
        households = await repo.households_by_key(session, wanted)
        lsoas = await repo.lsoas_of(session, {pc for k, pc in wanted.items()
                                              if pc and k not in households})
        created = [self.new(k, pc, lsoas.get(pc)) for k, pc in wanted.items()
                   if k not in households]
        changed: set[int] = set()
        areas: dict[int, str] = {}
        for key, h in households.items():  # a household first seen without a postcode
            if h.area is None and wanted.get(key):
                h.area = areas[h.id] = normalise.outward(wanted[key])
                changed.update(p.id for p in await repo.household_members(session, h.id))
        await repo.set_household_areas(session, areas)
        self._named(created, records)
        await repo.insert_new(session, Household, created)
        households.update({h.address_key: h for h in created})
        await session.flush()  # persons are read as rows below: what is pending first
        persons = await repo.person_rows(session, set(person_ids) - new_persons.keys())
        persons.update({pid: p for pid, p in new_persons.items() if pid in person_ids})
        moved: dict[int, int | None] = {}
        for pid, person in persons.items():
            key = latest.get(pid, (None, None))[0]
            household_id = households[key].id if key else None
            if person.household_id != household_id:
                person.household_id = household_id
                changed.add(pid)
                if pid not in new_persons:
                    moved[pid] = household_id
        await repo.set_households(session, moved)
        ids = await self._insert_persons(session, new_persons, pending)
        persons = {ids.get(pid, pid): p for pid, p in persons.items()}
        changed = {ids.get(pid, pid) for pid in changed}
        for r in properties:
            r.household_id = households[r.address_key].id if r.address_key else None
        await session.flush()  # the residents query below reads these households
        names = [(persons[r.person_id].household_id, r.person_id, r.received_seq,
                  r.norm_family) for r in pending if r.person_id in persons]
        moved, tokens = await self._institutions(session, households, created, records, names)
        return Placement(changed | moved, tokens, persons,
                         {h.id: h for h in households.values()}, set(ids.values()))

    @staticmethod
    async def _insert_persons(session: AsyncSession, new_persons: dict[int, repo.Draft],
                              pending: list) -> dict[int, int]:
        """Insert new persons (in their provisional ids' order) and point their pending
        records at them; returns provisional id -> id."""
        order = sorted(new_persons, reverse=True)  # -1, -2, ...: the order of arrival
        await repo.insert_new(session, Person, [new_persons[pid] for pid in order])
        ids = {pid: new_persons[pid].id for pid in order}
        for r in pending:
            if r.person_id in ids:
                r.person_id = ids[r.person_id]
        return ids

    def _named(self, created: list[Household], records) -> None:
        """New households whose address is listed or names an institution."""
        sample = {r.address_key: (r.address, r.uprn) for r in records if r.address_key}
        for h in created:
            address, uprn = sample.get(h.address_key, (None, None))
            h.institution = self.rules.by_address(h.address_key, address, uprn)

    async def _institutions(self, session: AsyncSession, households: dict[str, Household],
                            created: list[Household], records, pending_names=()
                            ) -> tuple[set[int], set[str]]:
        """Mark households that are institutions (list, name, or the look of their
        residents); their residents and property records are re-assigned without one."""
        rules = self.rules
        found: list[Household] = []
        open_ = {h.id: h for h in households.values() if not h.institution}
        # only a household with enough members can look like an institution: counting
        # them is cheaper than the residents' latest family names (persons are stored
        # by now, with their households; their new records are `pending_names`)
        crowded = await repo.households_of_at_least(session, open_, rules.min_members)
        residents = await repo.family_names_by_household(
            session, crowded, [n for n in pending_names if n[0] in crowded])
        for hid, names in residents.items():
            if reason := rules.by_residents(names):
                open_[hid].institution = reason
                found.append(open_[hid])
        if not found:
            return set(), set()
        ids = [h.id for h in found]
        await repo.mark_institutions(session, ids, LOOKS_LIKE)
        log.info("%d households recognised as institutions", len(found))
        return (set(await repo.member_ids(session, ids)),
                set(await repo.property_tokens(session, ids)))
