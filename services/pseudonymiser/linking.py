"""Incremental probabilistic linkage: a batch of new records against what is held.

The batch is scored against the held records and against itself by the linkage index
(blocking, then the Fellegi-Sunter model), never re-scoring held pairs. Linked pairs
join groups strongest first, held persons start as groups of their own records, and
reviewers' decisions are constraints (see clusters.py). A group holding no person gets
a new one; a group holding several merges them into the oldest, which keeps its
pseudonym. Review-band pairs left in different persons go to the clerical queue.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.pseudonymiser import repository as repo
from services.pseudonymiser.clusters import cluster
from services.pseudonymiser.models import IdentityRecord, Person
from services.pseudonymiser.probabilistic import LINK, frame_from_records
from services.pseudonymiser.probabilistic.index import LinkageIndex
from services.pseudonymiser.review_queue import queue_reviews, settle_by_owner

log = logging.getLogger("tessera.pseudonymiser")


@dataclass
class _Remembering:
    """An index upsert started by a linkage call: its task (None once awaited), the
    features it adds, and whether that call's transaction committed."""

    task: asyncio.Task | None
    features: pd.DataFrame
    committed: bool = False


@dataclass
class Linked:
    moved: list[str] = field(default_factory=list)  # tokens of records re-pointed by merges
    survivors: set[int] = field(default_factory=set)
    dirty: set[int] = field(default_factory=set)  # persons whose assignments must go out
    # new persons (all their records new), not inserted yet: by provisional id below zero
    created: dict[int, Person] = field(default_factory=dict)
    changes: list[m.ClusterChange] = field(default_factory=list)
    score_seconds: float = 0.0  # scoring's share of the call (for benchmarks)


class ProbabilisticLinker:
    def __init__(self, index: LinkageIndex, new_person):
        self.index = index
        self.new_person = new_person
        # the index upsert of the last call's records, under way (remember), and them
        self._remembering: _Remembering | None = None

    @property
    def model_version(self) -> str:
        return self.index.model.version

    async def link(self, session: AsyncSession, records: list[IdentityRecord],
                   scored: pd.DataFrame | None) -> Linked:
        """Link new records, given their scored pairs (ScoreAhead.pairs)."""
        out = Linked()
        if not records:
            return out
        new = {r.record_token: r for r in records}
        held = await repo.persons_holding(session, set(scored["unique_id_r"]) - new.keys())
        members = held.members  # person id -> tokens
        person_of = {t: pid for pid, ts in members.items() for t in ts}
        tokens = set(new) | person_of.keys()
        decisions = await repo.decisions_among(session, tokens)
        links = [(a, b, p) for a, b, p, band in zip(
            scored["unique_id_l"], scored["unique_id_r"], scored["match_probability"],
            scored["band"], strict=True) if band == LINK and b in tokens]
        exclusive = held.exclusive
        exclusive.update({t: f"{r.partner}|{r.dataset}" for t, r in new.items()
                          if r.one_per_person})
        groups = cluster(tokens, links, forced=decisions.matches, forbidden=decisions.non_matches,
                         seeds=members.values(), exclusive=exclusive)
        created: list[tuple[Person, list[IdentityRecord]]] = []
        merges: dict[int, list[int]] = {}
        for group in groups.groups():
            held_ids = sorted({person_of[t] for t in group if t in person_of})
            fresh = [new[t] for t in group if t in new]
            if not held_ids:
                if fresh:
                    created.append((self.new_person(), fresh))
                continue
            survivor = held_ids[0]
            if held_ids[1:]:
                merges[survivor] = held_ids[1:]
            for r in fresh:
                r.person_id = survivor
        # new persons in the order their first record arrived: the oldest survives merges.
        # They are inserted once their household is known (Pseudonymiser._place_all),
        # in this order; until then they go by provisional ids below zero
        created.sort(key=lambda c: min(r.received_seq for r in c[1]))
        for i, (person, fresh) in enumerate(created, start=1):
            person.id = -i
            for r in fresh:
                r.person_id = person.id
        out.created = {p.id: p for p, _ in created}
        persons = await repo.persons_by_id(
            session, set(merges) | {p for others in merges.values() for p in others})
        for survivor_id, others in merges.items():
            survivor = persons[survivor_id]
            for pid in others:
                other = persons[pid]
                other.merged_into = survivor_id
                if other.withheld and not survivor.withheld:
                    survivor.withheld = True  # an opt-out follows the person into a merge
                    out.dirty.add(survivor_id)
            out.survivors.add(survivor_id)
            out.changes.append(m.ClusterChange(
                kind="merge", survivor=survivor.pseudonym, reason="linkage",
                others=[persons[pid].pseudonym for pid in others]))
        retired = {pid: s for s, others in merges.items() for pid in others}
        out.moved = await repo.merge_records(session, retired)
        owner = {t: r.person_id for t, r in new.items()}
        owner.update({t: retired.get(pid, pid) for t, pid in person_of.items()})
        await queue_reviews(session, scored, owner, decisions.decided, self.model_version)
        if out.moved:  # a merge may answer a pending pair between its persons' records
            await settle_by_owner(session, await repo.pending_pairs(session, out.moved),
                                  gone=False)
        if merges:
            log.info("linkage merged %d persons into %d", len(retired), len(merges))
        return out

    def remember(self, session: AsyncSession, features: pd.DataFrame) -> None:
        """Add new or changed records' features to the index, once linked, in a worker
        thread while the call commits and publishes (at 1M held, 0.28 s of a 20,000-record
        push's calls waited for it): the next linkage waits for it (`remembered`)."""
        if not len(features):
            return
        pending = _Remembering(asyncio.create_task(
            asyncio.to_thread(self.index.upsert, features)), features)
        self._remembering = pending

        def committed(_session) -> None:
            pending.committed = True

        event.listen(session.sync_session, "after_commit", committed, once=True)

    async def remembered(self, session: AsyncSession) -> None:
        """The last call's records are in the index (scoring against it may start); call
        it holding the linkage lock, so that call's transaction has ended. A failed upsert
        is tried again here, and raises (keeping it pending) if it fails again. If that
        call rolled back, its records are put back as the database holds them."""
        pending = self._remembering
        if pending is None:
            return
        task, pending.task = pending.task, None
        try:
            await (task or asyncio.to_thread(self.index.upsert, pending.features))
        except Exception as exc:
            log.warning("adding linked records to the index failed (%s); trying again",
                        type(exc).__name__)
            await asyncio.to_thread(self.index.upsert, pending.features)
        if not pending.committed:
            await self._restore(session, list(pending.features["unique_id"]))
        self._remembering = None

    async def _restore(self, session: AsyncSession, tokens: list[str]) -> None:
        """The index holds of `tokens` what the database does: the call that added them
        rolled back after its upsert started."""
        held = [r for r in (await repo.records_by_token(session, tokens)).values()
                if r.level == "person"]
        gone = set(tokens) - {r.record_token for r in held}
        await asyncio.to_thread(self.index.remove, gone)
        await asyncio.to_thread(self.index.upsert, frame_from_records(held))
        log.warning("a rolled-back linkage call: %d records restored in the index, %d "
                    "removed", len(held), len(gone))
