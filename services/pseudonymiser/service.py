"""The identity slice's logic: link records to persons and households, assign pseudonyms,
apply consent decisions. No SQL here (see repository.py); matching is in linkage.py."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.common.crypto import keyed_token
from services.pseudonymiser import normalise
from services.pseudonymiser import repository as repo
from services.pseudonymiser.households import LOOKS_LIKE, InstitutionRules
from services.pseudonymiser.linking import ProbabilisticLinker
from services.pseudonymiser.models import Household, IdentityRecord, Person
from services.pseudonymiser.probabilistic import LinkageModel, frame_from_records
from services.pseudonymiser.probabilistic.index import LinkageIndex

log = logging.getLogger("tessera.pseudonymiser")


@dataclass
class Outcome:
    assignments: list[m.Assignment] = field(default_factory=list)
    resolved: list[m.OptoutResolved] = field(default_factory=list)
    changes: list[m.ClusterChange] = field(default_factory=list)


def fill(rec: IdentityRecord, row: m.IdentityRow) -> None:
    """Copy a row's identity values and their normalised forms onto a record."""
    rec.local_id = row.local_id
    rec.given_name, rec.family_name = row.given_name, row.family_name
    rec.date_of_birth, rec.sex = row.date_of_birth, row.sex
    rec.address, rec.postcode = row.address, row.postcode
    rec.locality = row.locality
    rec.nhs_number, rec.uprn = row.nhs_number, row.uprn
    rec.norm_given = normalise.name(row.given_name)
    rec.norm_given_first = normalise.first_name_token(row.given_name)
    rec.norm_family = normalise.name(row.family_name)
    rec.norm_sex = normalise.sex(row.sex)
    rec.norm_postcode = normalise.postcode(row.postcode)
    rec.norm_nhs = normalise.nhs_number(row.nhs_number)
    rec.address_key = normalise.address_key(row.address, row.postcode, row.uprn)


class Pseudonymiser:
    def __init__(self, person_key: bytes, household_key: bytes, model: LinkageModel,
                 institutions: InstitutionRules | None = None, lean_blocking: bool = True):
        self.person_key = person_key
        self.household_key = household_key
        self.index = LinkageIndex(model, lean=lean_blocking)
        self.linker = ProbabilisticLinker(self.index, self.new_person)
        self.institutions = institutions or InstitutionRules()
        # Linkage reads then writes clusters: one batch at a time per process.
        self.lock = asyncio.Lock()

    async def load(self, session: AsyncSession) -> int:
        """Build the linkage index from the held person-level records."""
        async def frames():
            async for page in repo.person_level_records(session):
                yield frame_from_records(page)
        loaded = [f async for f in frames()]
        return await asyncio.to_thread(self.index.load, loaded)

    def new_person(self) -> Person:
        u = str(uuid.uuid4())
        return Person(uuid=u, pseudonym=keyed_token(self.person_key, u, prefix="p_"),
                      withheld=False)

    def new_household(self, key: str, postcode: str | None) -> Household:
        u = str(uuid.uuid4())
        return Household(uuid=u, pseudonym=keyed_token(self.household_key, u, prefix="h_"),
                         address_key=key, area=normalise.outward(postcode))

    # --- identity batches --------------------------------------------------------------

    async def ingest(self, session: AsyncSession,
                     batch: m.IdentityBatch | list[m.IdentityBatch], purpose: str) -> Outcome:
        """Link one batch, or several together (one scoring pass for all of them)."""
        batches = batch if isinstance(batch, list) else [batch]
        async with self.lock:
            return await self._ingest(session, batches, purpose)

    async def _ingest(self, session: AsyncSession, batches: list[m.IdentityBatch],
                      purpose: str) -> Outcome:
        seq = await repo.next_seq(session)
        held = await repo.records_by_token(
            session, (r.record_token for b in batches for r in b.rows))
        fresh: dict[str, IdentityRecord] = {}
        touched: dict[str, IdentityRecord] = {}
        changed: set[str] = set()
        for batch, row in ((b, r) for b in batches for r in b.rows):
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
            rec.agreement = batch.agreement or rec.agreement
            rec.one_per_person = batch.one_record_per_person
            rec.received_seq, seq = seq, seq + 1
            touched[token] = rec
            changed.add(token)

        people = [r for r in fresh.values() if r.level == "person"]
        linked = await self.linker.link(session, people)
        dirty = linked.dirty
        moved_tokens, survivors = linked.moved, linked.survivors
        session.add_all(fresh.values())
        await session.flush()
        self.linker.remember([touched[t] for t in changed if touched[t].level == "person"])

        affected = {r.person_id for r in touched.values() if r.person_id} | survivors
        placed, property_tokens = await self._place(session, affected, touched.values())
        dirty |= placed

        data_tokens = ({t for t in changed if touched[t].purpose == "data"} | set(moved_tokens)
                       | property_tokens)
        outcome = Outcome(assignments=await self._assign(session, data_tokens, dirty, touched),
                          changes=linked.changes)
        if purpose == "optout":
            outcome.resolved = await self._resolved(session, touched.values())
        log.info("identity batches: %d, %d rows, %d new, %d assignments, %d merges",
                 len(batches), sum(len(b.rows) for b in batches), len(fresh),
                 len(outcome.assignments), len(moved_tokens))
        return outcome

    async def _place(self, session: AsyncSession, person_ids: set[int],
                     records) -> tuple[set[int], set[str]]:
        """Attach persons (latest address) and property records to households; returns
        persons whose household changed and property records to re-assign."""
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
        self._named_institutions(created, records)
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
        moved, tokens = await self._institutions(session, households, created, records)
        return changed | moved, tokens

    def _named_institutions(self, created: list[Household], records) -> None:
        """New households whose address is listed or names an institution."""
        sample = {r.address_key: (r.address, r.uprn) for r in records if r.address_key}
        for h in created:
            address, uprn = sample.get(h.address_key, (None, None))
            h.institution = self.institutions.by_address(h.address_key, address, uprn)

    async def _institutions(self, session: AsyncSession, households: dict[str, Household],
                            created: list[Household], records) -> tuple[set[int], set[str]]:
        """Mark households that are institutions (list, name, or the look of their
        residents); their residents and property records are re-assigned without one."""
        rules = self.institutions
        found: list[Household] = []
        open_ = {h.id: h for h in households.values() if not h.institution}
        for hid, names in (await repo.family_names_by_household(session, open_)).items():
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
            family = h if h is not None and not h.institution else None
            out.append(m.Assignment(
                record_token=token, level=r.level, person=p.pseudonym if p else None,
                household=family.pseudonym if family else None, area=h.area if h else None,
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
