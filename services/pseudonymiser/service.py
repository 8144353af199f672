"""The identity slice's logic: link records to persons and households, assign pseudonyms,
apply consent decisions. No SQL here (see repository.py); matching is in linkage.py."""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.common.crypto import keyed_token
from services.pseudonymiser import normalise
from services.pseudonymiser import repository as repo
from services.pseudonymiser.linkage import DeterministicRules, Features, Linker
from services.pseudonymiser.models import Household, IdentityRecord, Person

log = logging.getLogger("tessera.pseudonymiser")


@dataclass
class Outcome:
    assignments: list[m.Assignment] = field(default_factory=list)
    resolved: list[m.OptoutResolved] = field(default_factory=list)


def fill(rec: IdentityRecord, row: m.IdentityRow) -> None:
    """Copy a row's identity values and their normalised forms onto a record."""
    rec.local_id = row.local_id
    rec.given_name, rec.family_name = row.given_name, row.family_name
    rec.date_of_birth, rec.sex = row.date_of_birth, row.sex
    rec.address, rec.postcode = row.address, row.postcode
    rec.nhs_number, rec.uprn = row.nhs_number, row.uprn
    rec.norm_given = normalise.name(row.given_name)
    rec.norm_given_first = normalise.first_name_token(row.given_name)
    rec.norm_family = normalise.name(row.family_name)
    rec.norm_sex = normalise.sex(row.sex)
    rec.norm_postcode = normalise.postcode(row.postcode)
    rec.norm_nhs = normalise.nhs_number(row.nhs_number)
    rec.address_key = normalise.address_key(row.address, row.postcode, row.uprn)


def features(rec: IdentityRecord) -> Features:
    return Features(given=rec.norm_given, given_first=rec.norm_given_first,
                    family=rec.norm_family, date_of_birth=rec.date_of_birth, sex=rec.norm_sex,
                    postcode=rec.norm_postcode, nhs_number=rec.norm_nhs)


class _Clusters:
    """Persons being linked in one batch: held ones (with ids) and new ones, with merges."""

    def __init__(self):
        self.redirect: dict[int, Person] = {}
        self.order: dict[int, tuple[int, int]] = {}
        self.created: list[Person] = []
        self.merged: list[Person] = []
        self._count = itertools.count()

    def know(self, person: Person) -> None:
        self.order.setdefault(id(person), (0, person.id))

    def add_new(self, person: Person) -> None:
        self.order[id(person)] = (1, next(self._count))
        self.created.append(person)

    def resolve(self, person: Person) -> Person:
        while id(person) in self.redirect:
            person = self.redirect[id(person)]
        return person

    def merge(self, persons: list[Person]) -> Person:
        """The person created first survives; the others point at it."""
        ordered = sorted({id(p): p for p in persons}.values(), key=lambda p: self.order[id(p)])
        survivor = ordered[0]
        for other in ordered[1:]:
            self.redirect[id(other)] = survivor
            self.merged.append(other)
        return survivor


class Pseudonymiser:
    def __init__(self, person_key: bytes, household_key: bytes, linker: Linker | None = None):
        self.person_key = person_key
        self.household_key = household_key
        self.linker: Linker = linker or DeterministicRules()
        # Linkage reads then writes clusters: one batch at a time per process.
        self.lock = asyncio.Lock()

    def new_person(self) -> Person:
        u = str(uuid.uuid4())
        return Person(uuid=u, pseudonym=keyed_token(self.person_key, u, prefix="p_"),
                      withheld=False)

    def new_household(self, key: str, postcode: str | None) -> Household:
        u = str(uuid.uuid4())
        return Household(uuid=u, pseudonym=keyed_token(self.household_key, u, prefix="h_"),
                         address_key=key, area=normalise.outward(postcode))

    # --- identity batches --------------------------------------------------------------

    async def ingest(self, session: AsyncSession, batch: m.IdentityBatch,
                     purpose: str) -> Outcome:
        async with self.lock:
            return await self._ingest(session, batch, purpose)

    async def _ingest(self, session: AsyncSession, batch: m.IdentityBatch,
                      purpose: str) -> Outcome:
        seq = await repo.next_seq(session)
        held = await repo.records_by_token(session, (r.record_token for r in batch.rows))
        fresh: dict[str, IdentityRecord] = {}
        touched: dict[str, IdentityRecord] = {}
        changed: set[str] = set()
        for row in batch.rows:
            token = row.record_token
            rec = held.get(token) or fresh.get(token)
            if rec is None:
                rec = IdentityRecord(record_token=token, partner=batch.partner,
                                     dataset=batch.dataset, level=batch.level,
                                     purpose=purpose, version=0)
                fresh[token] = rec
            elif purpose == "optout" and rec.purpose == "data":
                touched[token] = rec  # an opt-out naming a held record: recognised as is
                continue
            fill(rec, row)
            rec.purpose = "data" if purpose == "data" else rec.purpose
            rec.received_seq, seq = seq, seq + 1
            touched[token] = rec
            changed.add(token)

        dirty: set[int] = set()
        moved_tokens, survivors = await self._link(session, list(fresh.values()), dirty)
        session.add_all(fresh.values())
        await session.flush()

        affected = {r.person_id for r in touched.values() if r.person_id} | survivors
        dirty |= await self._place(session, affected, touched.values())

        data_tokens = {t for t in changed if touched[t].purpose == "data"} | set(moved_tokens)
        outcome = Outcome(assignments=await self._assign(session, data_tokens, dirty, touched))
        if purpose == "optout":
            outcome.resolved = await self._resolved(session, touched.values())
        log.info("identity batch: %d rows, %d new, %d assignments, %d merges",
                 len(batch.rows), len(fresh), len(outcome.assignments), len(moved_tokens))
        return outcome

    async def _link(self, session: AsyncSession, records: list[IdentityRecord],
                    dirty: set[int]) -> tuple[list[str], set[int]]:
        """Give each new person-level record a person; returns moved tokens and survivors."""
        to_link = [r for r in records if r.level == "person"]
        if not to_link:
            return [], set()
        feats = {r.record_token: features(r) for r in to_link}
        dobs = {d for f in feats.values() for d in self.linker.blocking_dates(f.date_of_birth)}
        nhs = {f.nhs_number for f in feats.values() if f.nhs_number}
        candidates = await repo.candidates(session, dobs, nhs) if dobs or nhs else []
        persons = await repo.persons_by_id(session, {c.person_id for c in candidates})

        clusters = _Clusters()
        by_dob: dict = defaultdict(list)
        by_nhs: dict = defaultdict(list)
        owner: dict[str, Person] = {}

        def pool(token: str, f: Features, person: Person) -> None:
            owner[token] = person
            feats[token] = f
            if f.date_of_birth:
                by_dob[f.date_of_birth].append(token)
            if f.nhs_number:
                by_nhs[f.nhs_number].append(token)

        for c in candidates:
            clusters.know(persons[c.person_id])
            pool(c.record_token, features(c), persons[c.person_id])

        for rec in to_link:
            f = feats[rec.record_token]
            tokens = {t for d in self.linker.blocking_dates(f.date_of_birth) for t in by_dob[d]}
            if f.nhs_number:
                tokens.update(by_nhs[f.nhs_number])
            matched = [clusters.resolve(owner[t]) for t in tokens
                       if t != rec.record_token and self.linker.is_match(f, feats[t])]
            if matched:
                person = clusters.merge(matched)
            else:
                person = self.new_person()
                clusters.add_new(person)
            pool(rec.record_token, f, person)

        await repo.insert_new(session, Person,
                              [p for p in clusters.created if id(p) not in clusters.redirect])
        moved: list[str] = []
        survivors: set[int] = set()
        merged_into: dict[int, list[int]] = defaultdict(list)
        for other in clusters.merged:
            survivor = clusters.resolve(other)
            if other.withheld and not survivor.withheld:
                survivor.withheld = True  # an opt-out follows the person into the merge
                if survivor.id is not None:
                    dirty.add(survivor.id)
            if other.id is not None:  # a held person: retire it, its records move over
                other.merged_into = survivor.id
                merged_into[survivor.id].append(other.id)
                survivors.add(survivor.id)
        for survivor_id, others in merged_into.items():
            moved += await repo.move_records(session, others, survivor_id)
        for rec in to_link:
            rec.person_id = clusters.resolve(owner[rec.record_token]).id
        if merged_into:
            log.info("merged %d persons into %d", sum(map(len, merged_into.values())),
                     len(merged_into))
        return moved, survivors

    async def _place(self, session: AsyncSession, person_ids: set[int],
                     records) -> set[int]:
        """Attach persons (latest address) and property records to households."""
        latest = await repo.latest_address_keys(session, person_ids)
        wanted: dict[str, str | None] = {key: pc for key, pc in latest.values()}
        properties = [r for r in records if r.level == "property"]
        for r in properties:
            if r.address_key:
                wanted.setdefault(r.address_key, r.norm_postcode)
        households = await repo.households_by_key(session, wanted)
        created = [self.new_household(k, pc) for k, pc in wanted.items() if k not in households]
        changed: set[int] = set()
        for key, h in households.items():  # a household first seen without a postcode
            if h.area is None and wanted.get(key):
                h.area = normalise.outward(wanted[key])
                changed.update(p.id for p in await repo.household_members(session, h.id))
        await repo.insert_new(session, Household, created)
        households.update({h.address_key: h for h in created})
        for pid, person in (await repo.persons_by_id(session, person_ids)).items():
            key = latest.get(pid, (None, None))[0]
            household_id = households[key].id if key else None
            if person.household_id != household_id:
                person.household_id = household_id
                changed.add(pid)
        for r in properties:
            r.household_id = households[r.address_key].id if r.address_key else None
        return changed

    async def _assign(self, session: AsyncSession, tokens: set[str], person_ids: set[int],
                      known: dict[str, IdentityRecord] | None = None) -> list[m.Assignment]:
        """A new assignment version for the given data records and all of these persons'."""
        records = {t: r for t, r in (known or {}).items() if t in tokens}
        records.update(await repo.records_by_token(session, tokens - records.keys()))
        for r in await repo.records_of_persons(session, person_ids, purpose="data"):
            records.setdefault(r.record_token, r)
        records = {t: r for t, r in records.items() if r.purpose == "data"}
        persons = await repo.persons_by_id(
            session, {r.person_id for r in records.values() if r.person_id})
        for r in records.values():
            if r.level == "person" and r.person_id in persons:
                r.household_id = persons[r.person_id].household_id
        households = await repo.households_by_id(
            session, {r.household_id for r in records.values()})
        out = []
        for token in sorted(records, key=lambda t: records[t].received_seq):
            r = records[token]
            r.version = (r.version or 0) + 1
            h = households.get(r.household_id)
            p = persons.get(r.person_id) if r.level == "person" else None
            out.append(m.Assignment(
                record_token=token, level=r.level, person=p.pseudonym if p else None,
                household=h.pseudonym if h else None, area=h.area if h else None,
                withheld=bool(p and p.withheld), version=r.version,
            ))
        return out

    async def _resolved(self, session: AsyncSession, records) -> list[m.OptoutResolved]:
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

    # --- consent ---------------------------------------------------------------------------

    async def decide(self, session: AsyncSession, d: m.ConsentDecision) -> list[m.Assignment]:
        async with self.lock:
            new = await repo.add_decision(
                session, decision_id=d.decision_id, person=d.person, status=d.status,
                scope=d.scope, decided_on=d.decided_on, effective=d.effective)
            if not new or not d.effective or d.scope != "all":
                return []
            person = await repo.person_by_pseudonym(session, d.person)
            while person is not None and person.merged_into is not None:
                person = (await repo.persons_by_id(session, [person.merged_into])).get(
                    person.merged_into)
            if person is None:
                log.warning("consent decision %s names an unknown person", d.decision_id)
                return []
            withheld = d.status == "opt_out"
            if person.withheld == withheld:
                return []
            person.withheld = withheld
            await session.flush()
            return await self._assign(session, set(), {person.id})
