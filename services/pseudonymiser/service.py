"""The identity slice's service: identity batches linked to persons (linkage.py),
placed in households (placement.py) and assigned (assignment.py), and consent decisions
applied, under the linkage lock (lock.py). No SQL here (see repository.py)."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.common.crypto import keyed_token
from services.pseudonymiser import repository as repo
from services.pseudonymiser.assignment import assign, resolved
from services.pseudonymiser.households import InstitutionRules
from services.pseudonymiser.linkage import Linkage, fill
from services.pseudonymiser.lock import LinkageLock
from services.pseudonymiser.metrics import PseudonymiserMetrics
from services.pseudonymiser.models import IdentityRecord, Person
from services.pseudonymiser.placement import Households
from services.pseudonymiser.probabilistic import LinkageModel

log = logging.getLogger("tessera.pseudonymiser")


@dataclass
class Outcome:
    assignments: list[m.Assignment] = field(default_factory=list)
    resolved: list[m.OptoutResolved] = field(default_factory=list)
    changes: list[m.ClusterChange] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, for benchmarks


class Clock:
    """Wall-clock seconds per stage of a batch."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(self.laps.get(name, 0.0) + now - self._last, 4)
        self._last = now


class Pseudonymiser:
    def __init__(self, person_key: bytes, household_key: bytes, model: LinkageModel,
                 institutions: InstitutionRules | None = None, lean_blocking: bool = True,
                 scoring_threads: int | None = None, fenced: bool = False):
        self.person_key = person_key
        # linkage reads then writes clusters: one batch at a time per process, and where
        # replicas elect their writer (`fenced`), only in the writer
        self.lock = LinkageLock(fenced)
        self._linkage_options = {"lean": lean_blocking, "scoring_threads": scoring_threads}
        self.linkage = Linkage(model, self.new_person, **self._linkage_options)
        self.metrics: PseudonymiserMetrics | None = None
        self.households = Households(household_key, institutions or InstitutionRules())
        self.last_linked = 0.0  # time.monotonic() of the last identity batch linked

    async def load(self, session: AsyncSession) -> int:
        """Build the linkage index from the held records."""
        return await self.linkage.load(session)

    def observe(self, metrics: PseudonymiserMetrics) -> None:
        """Linkage calls timed in ``metrics``, by this index and any that replaces it."""
        self.metrics = metrics
        self.linkage.observe(metrics)

    def reset(self, model: LinkageModel) -> None:
        """An empty index of `model`, to load (a writer taking over) or to leave empty
        (a standby: its memory freed)."""
        self.linkage = Linkage(model, self.new_person, **self._linkage_options)
        if self.metrics is not None:
            self.linkage.observe(self.metrics)

    def new_person(self) -> repo.Draft:
        """A person to insert (repo.insert_new), as a plain draft of a Person row."""
        u = str(uuid.uuid4())
        return repo.Draft(Person, uuid=u, withheld=False,
                          pseudonym=keyed_token(self.person_key, u, prefix="p_"))

    # --- identity batches --------------------------------------------------------------

    async def ingest(self, session: AsyncSession,
                     batch: m.IdentityBatch | list[m.IdentityBatch], purpose: str) -> Outcome:
        """Link one batch, or several together (one scoring pass for all of them),
        holding the linkage lock until the caller's transaction ends."""
        batches = batch if isinstance(batch, list) else [batch]
        await self.lock.hold(session)
        self.last_linked = time.monotonic()
        # nothing is flushed behind a query's back: the writes go out at chosen points
        with session.no_autoflush:
            return await self._ingest(session, batches, purpose)

    async def _ingest(self, session: AsyncSession, batches: list[m.IdentityBatch],
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
        linked = await self.linkage.link(
            session, batches, people,
            [touched[t] for t in changed if touched[t].level == "person"], purpose)
        dirty = linked.dirty
        moved_tokens, survivors = linked.moved, linked.survivors
        await session.flush()  # changes to held records and persons (merges)
        clock.lap("link")

        affected = {r.person_id for r in touched.values() if r.person_id} | survivors
        place = await self.households.place(session, affected, touched.values(),
                                            pending=list(fresh.values()),
                                            new_persons=linked.created)
        dirty |= place.changed
        clock.lap("households")

        data_tokens = ({t for t in changed if touched[t].purpose == "data"} | set(moved_tokens)
                       | place.tokens)
        outcome = Outcome(
            assignments=await assign(session, data_tokens, dirty, touched,
                                     complete=place.created, place=place),
            changes=linked.changes)
        clock.lap("assign")
        await repo.insert_records(session, list(fresh.values()))
        await session.flush()
        clock.lap("store")
        if purpose == "optout":
            outcome.resolved = await resolved(session, touched.values())
        outcome.seconds = {**clock.laps, "score": linked.score_seconds}
        log.info("identity batches: %d, %d rows, %d new, %d assignments, %d merges; "
                 "seconds %s", len(batches), sum(len(b.rows) for b in batches), len(fresh),
                 len(outcome.assignments), len(moved_tokens),
                 " ".join(f"{k}={v:.3f}" for k, v in outcome.seconds.items()))
        return outcome

    # --- consent ---------------------------------------------------------------------------

    async def decide(self, session: AsyncSession, d: m.ConsentDecision) -> list[m.Assignment]:
        await self.lock.hold(session)
        new = await repo.add_decision(
            session, decision_id=d.decision_id, person=d.person, status=d.status,
            scope=d.scope, decided_on=d.decided_on, effective=d.effective,
            sequence=d.sequence)
        if not new or not d.effective or d.scope != "all":
            return []
        if await repo.later_decision(session, d.person, d.scope, d.sequence):
            log.info("consent decision %s is older than one applied: ignored", d.decision_id)
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
        return await assign(session, set(), {person.id})
