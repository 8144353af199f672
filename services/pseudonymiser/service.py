"""The identity slice's logic: link records to persons and households, assign pseudonyms,
apply consent decisions. No SQL here (see repository.py); matching is in linkage.py."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace

import pandas as pd
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.common.crypto import keyed_token
from services.pseudonymiser import normalise
from services.pseudonymiser import repository as repo
from services.pseudonymiser.ahead import ScoreAhead
from services.pseudonymiser.households import LOOKS_LIKE, InstitutionRules
from services.pseudonymiser.linking import ProbabilisticLinker
from services.pseudonymiser.models import Household, IdentityRecord, Person
from services.pseudonymiser.probabilistic import LinkageModel, frame_from_records
from services.pseudonymiser.probabilistic.index import LinkageIndex

log = logging.getLogger("tessera.pseudonymiser")

# session.info keys: the transaction holds the linkage lock; its release is listened for
_HOLDING = "tessera_linkage_lock"
_LISTENING = "tessera_linkage_lock_listener"


@dataclass
class Outcome:
    assignments: list[m.Assignment] = field(default_factory=list)
    resolved: list[m.OptoutResolved] = field(default_factory=list)
    changes: list[m.ClusterChange] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, for benchmarks


@dataclass
class Placement:
    changed: set[int]  # persons whose household changed
    tokens: set[str]  # property records to re-assign
    # what the placement loaded or created (plain rows), for the assignment
    persons: dict[int, repo.Draft]
    households: dict[int, repo.Draft]
    created: set[int] = field(default_factory=set)  # the new persons it inserted


class Clock:
    """Wall-clock seconds per stage of a batch."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(self.laps.get(name, 0.0) + now - self._last, 4)
        self._last = now


def fill(rec: IdentityRecord, row: m.IdentityRow) -> None:
    """Copy a row's identity values and their normalised forms onto a record."""
    for name in m.IDENTITY_FIELDS:
        setattr(rec, name, getattr(row, name))
    rec.norm_given = normalise.name(row.given_name)
    rec.norm_given_first = normalise.first_name_token(row.given_name)
    rec.norm_family = normalise.name(row.family_name)
    rec.norm_sex = normalise.sex(row.sex)
    rec.norm_postcode = normalise.postcode(row.postcode)
    rec.norm_nhs = normalise.nhs_number(row.nhs_number)
    rec.address_key = normalise.address_key(row.address, row.postcode, row.uprn)


def features_of(batches: list[m.IdentityBatch]) -> pd.DataFrame:
    """The Splink features of a group's person-level rows as linking them builds them (a
    token sent twice: its last row), without the database."""
    latest: dict[str, SimpleNamespace] = {}
    for batch in batches:
        if batch.level == "person":
            for row in batch.rows:
                rec = latest[row.record_token] = SimpleNamespace(record_token=row.record_token)
                fill(rec, row)
    return frame_from_records(latest.values())


class Pseudonymiser:
    def __init__(self, person_key: bytes, household_key: bytes, model: LinkageModel,
                 institutions: InstitutionRules | None = None, lean_blocking: bool = True,
                 scoring_threads: int | None = None):
        self.person_key = person_key
        self.household_key = household_key
        self.index = LinkageIndex(model, lean=lean_blocking, scoring_threads=scoring_threads)
        self.linker = ProbabilisticLinker(self.index, self.new_person)
        self.ahead = ScoreAhead(self.index, features_of)
        self.institutions = institutions or InstitutionRules()
        # Linkage reads then writes clusters: one batch at a time per process.
        self.lock = asyncio.Lock()
        self.last_linked = 0.0  # time.monotonic() of the last identity batch linked

    def use_index(self, index: LinkageIndex) -> None:
        """Link with another index (a new model's) from the next call on; call it holding
        the linkage lock. Scores started ahead on the old one are not used."""
        self.index = self.linker.index = self.ahead.index = index

    async def load(self, session: AsyncSession) -> int:
        """Build the linkage index from the held person-level records, page by page (the
        features of a million records are never all in memory at once)."""
        async for page in repo.person_level_records(session):
            await asyncio.to_thread(self.index.append, frame_from_records(page))
        return await asyncio.to_thread(self.index.load, [])

    def new_person(self) -> repo.Draft:
        """A person to insert (repo.insert_new), as a plain draft of a Person row."""
        u = str(uuid.uuid4())
        return repo.Draft(Person, uuid=u, withheld=False,
                          pseudonym=keyed_token(self.person_key, u, prefix="p_"))

    def new_household(self, key: str, postcode: str | None) -> repo.Draft:
        u = str(uuid.uuid4())
        return repo.Draft(Household, uuid=u, address_key=key, area=normalise.outward(postcode),
                          pseudonym=keyed_token(self.household_key, u, prefix="h_"))

    # --- identity batches --------------------------------------------------------------

    async def ingest(self, session: AsyncSession,
                     batch: m.IdentityBatch | list[m.IdentityBatch], purpose: str) -> Outcome:
        """Link one batch, or several together (one scoring pass for all of them)."""
        batches = batch if isinstance(batch, list) else [batch]
        await self.hold(session)
        self.last_linked = time.monotonic()
        return await self._ingest(session, batches, purpose)

    async def hold(self, session: AsyncSession) -> None:
        """Take the linkage lock until `session`'s transaction ends (commit or rollback).
        Linkage reads what is held, then writes: released when the call returned, the
        lock let the next call read before this one's writes were committed, and it
        inserted the same record token again (an opt-out batch and an identity group
        naming one record: UNIQUE constraint failed, in `make demo`)."""
        if not session.in_transaction():
            raise RuntimeError("the linkage lock is held by a transaction: begin one first")
        if session.info.get(_HOLDING):
            return  # this transaction holds it already
        await self.lock.acquire()
        session.info[_HOLDING] = True

        def release(sess, transaction) -> None:
            if transaction.parent is None and sess.info.pop(_HOLDING, False):
                self.lock.release()

        if not session.info.get(_LISTENING):
            event.listen(session.sync_session, "after_transaction_end", release)
            session.info[_LISTENING] = True

    async def _ingest(self, session: AsyncSession, batches: list[m.IdentityBatch],
                      purpose: str) -> Outcome:
        # nothing is flushed behind a query's back: the writes go out at chosen points
        with session.no_autoflush:
            return await self._ingest_rows(session, batches, purpose)

    async def _ingest_rows(self, session: AsyncSession, batches: list[m.IdentityBatch],
                           purpose: str) -> Outcome:
        """Set-based: new records are plain objects until they are linked, placed and
        assigned, then inserted once with their final values."""
        clock = Clock()
        seq = await repo.next_seq(session)
        held = await repo.records_by_token(
            session, (r.record_token for b in batches for r in b.rows))
        fresh: dict[str, repo.Draft] = {}  # plain until linked, then inserted
        touched: dict[str, IdentityRecord | repo.Draft] = {}
        changed: set[str] = set()
        for batch, row in ((b, r) for b in batches for r in b.rows):
            token = row.record_token
            rec = held.get(token) or fresh.get(token)
            if rec is None:
                rec = repo.Draft(IdentityRecord, record_token=token, partner=batch.partner,
                                 dataset=batch.dataset, level=batch.level,
                                 purpose=purpose, version=0)
                fresh[token] = rec
            elif purpose == "optout" and rec.purpose == "data":
                touched[token] = rec  # an opt-out naming a held record: recognised as is
                continue
            fill(rec, row)
            rec.purpose = "data" if purpose == "data" else rec.purpose
            rec.agreement = batch.agreement or rec.agreement
            rec.one_per_person = batch.one_record_per_person
            rec.received_seq, seq = seq, seq + 1
            touched[token] = rec
            changed.add(token)
        people = [r for r in fresh.values() if r.level == "person"]
        clock.lap("prepare")
        # scoring (part of the link stage): the scores ahead, once ready, brought up to
        # date; or the group scored now
        start = time.perf_counter()
        ahead = await self.ahead.take(batches) if purpose == "data" else None
        # the features of every new or changed person-level record, built once (or with
        # the scores ahead): the new ones are scored, all go into the index
        features = ahead.features if ahead is not None else frame_from_records(
            [touched[t] for t in changed if touched[t].level == "person"])
        scored = None
        await self.linker.remembered(session)  # the last call's records, in the index
        if people:
            scored = await self.ahead.pairs(ahead, features, {r.record_token for r in people})
        score_seconds = round(time.perf_counter() - start, 4)
        linked = await self.linker.link(session, people, scored)
        dirty = linked.dirty
        moved_tokens, survivors = linked.moved, linked.survivors
        await session.flush()  # changes to held records and persons (merges)
        clock.lap("link")

        affected = {r.person_id for r in touched.values() if r.person_id} | survivors
        place = await self._place_all(session, affected, touched.values(),
                                      pending=list(fresh.values()), new_persons=linked.created)
        dirty |= place.changed
        clock.lap("households")

        data_tokens = ({t for t in changed if touched[t].purpose == "data"} | set(moved_tokens)
                       | place.tokens)
        outcome = Outcome(
            assignments=await self._assign(session, data_tokens, dirty, touched,
                                           complete=place.created, place=place),
            changes=linked.changes)
        clock.lap("assign")
        await repo.insert_records(session, list(fresh.values()))
        await session.flush()
        self.linker.remember(session, features)
        clock.lap("store")
        if purpose == "optout":
            outcome.resolved = await self._resolved(session, touched.values())
        outcome.seconds = {**clock.laps, "score": score_seconds}
        log.info("identity batches: %d, %d rows, %d new, %d assignments, %d merges; "
                 "seconds %s", len(batches), sum(len(b.rows) for b in batches), len(fresh),
                 len(outcome.assignments), len(moved_tokens),
                 " ".join(f"{k}={v:.3f}" for k, v in outcome.seconds.items()))
        return outcome

    async def _place(self, session: AsyncSession, person_ids: set[int],
                     records) -> tuple[set[int], set[str]]:
        """Attach persons (latest address) and property records to households; returns
        persons whose household changed and property records to re-assign."""
        place = await self._place_all(session, person_ids, records)
        return place.changed, place.tokens

    async def _place_all(self, session: AsyncSession, person_ids: set[int], records,
                         pending: list | None = None,
                         new_persons: dict[int, Person] | None = None) -> Placement:
        """`_place`, with records not stored yet (`pending`, linked) and the persons
        created for them (`new_persons`, by provisional id: all their records are
        pending). The new persons are inserted here, in their household (a second
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
        created = [self.new_household(k, pc) for k, pc in wanted.items() if k not in households]
        changed: set[int] = set()
        areas: dict[int, str] = {}
        for key, h in households.items():  # a household first seen without a postcode
            if h.area is None and wanted.get(key):
                h.area = areas[h.id] = normalise.outward(wanted[key])
                changed.update(p.id for p in await repo.household_members(session, h.id))
        await repo.set_household_areas(session, areas)
        self._named_institutions(created, records)
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

    def _named_institutions(self, created: list[Household], records) -> None:
        """New households whose address is listed or names an institution."""
        sample = {r.address_key: (r.address, r.uprn) for r in records if r.address_key}
        for h in created:
            address, uprn = sample.get(h.address_key, (None, None))
            h.institution = self.institutions.by_address(h.address_key, address, uprn)

    async def _institutions(self, session: AsyncSession, households: dict[str, Household],
                            created: list[Household], records, pending_names=()
                            ) -> tuple[set[int], set[str]]:
        """Mark households that are institutions (list, name, or the look of their
        residents); their residents and property records are re-assigned without one."""
        rules = self.institutions
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

    async def _assign(self, session: AsyncSession, tokens: set[str], person_ids: set[int],
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
                withheld=bool(p and p.withheld), version=r.version,
            ))
        await repo.set_versions(session, stored)
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
        await self.hold(session)
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
