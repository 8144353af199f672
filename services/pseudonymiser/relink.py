"""The full re-link: every held person-level record re-scored and re-clustered.

Scores all candidate pairs within the held records with a model, clusters the linked
pairs with every reviewer's decision as a constraint (`plan`), and reconciles the result
with the persons held (clusters.reconcile): pseudonyms stay with the part of a person
holding most of its records; persons brought together merge into the oldest; parts cut
away become new persons. Only records whose person changes are re-assigned, and the
merges and splits are published with them.

The plan is cut into pieces, each a set of groups joined through the persons they
touch, and only pieces that change something are applied. `apply` takes some pieces in
one transaction and reads who holds their records at that moment, so the running
service can apply a plan piece by piece between linkage calls (learning.py): records
linked since the plan was made stay with their person, or follow it into a merge.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.pseudonymiser import repository as repo
from services.pseudonymiser.assignment import assign
from services.pseudonymiser.clusters import cluster, pair_key, reconcile
from services.pseudonymiser.models import Person
from services.pseudonymiser.probabilistic import LINK
from services.pseudonymiser.review_queue import queue_reviews, settle_pending

if TYPE_CHECKING:
    from services.pseudonymiser.service import Pseudonymiser

log = logging.getLogger("tessera.pseudonymiser")


@dataclass
class RelinkReport:
    records: int = 0
    pairs_scored: int = 0
    persons_before: int = 0
    persons_after: int = 0
    merges: int = 0
    splits: int = 0
    moved_records: int = 0
    review_queued: int = 0
    review_superseded: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class Plan:
    """The pieces of a re-clustering that change something: each a list of groups of
    record tokens (one person each, once applied)."""

    pieces: list[list[set[str]]]
    piece_of: dict[str, int]  # a token of a piece -> the piece
    scored: pd.DataFrame  # the model's pairs at or above the review band
    records: int
    persons: int  # held persons among the planned records
    # pairs of records one person now, one group in the plan, and both; the largest
    # person now and group in the plan (learning.py checks a new model with them)
    pairs_held: int = 0
    pairs_planned: int = 0
    pairs_kept: int = 0
    largest_person: int = 0
    largest_group: int = 0


def plan(scored: pd.DataFrame, current: dict[str, tuple[int, int]],
         decisions: repo.Decisions, exclusive: dict[str, str]) -> Plan:
    """Cluster `current`'s records (token -> (person id, received order)) by the linked
    pairs among them and cut the result into pieces (CPU only: run it in a thread)."""
    linked = scored[(scored["band"] == LINK) & scored["unique_id_l"].isin(current)
                    & scored["unique_id_r"].isin(current)]
    groups = cluster(current, zip(linked["unique_id_l"], linked["unique_id_r"],
                                  linked["match_probability"], strict=True),
                     forced=decisions.matches, forbidden=decisions.non_matches,
                     exclusive=exclusive).groups()
    # groups joined by a person they share: union-find over group indexes
    parent = list(range(len(groups)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_group: dict[int, int] = {}
    for i, group in enumerate(groups):
        for token in group:
            j = first_group.setdefault(current[token][0], i)
            a, b = root(i), root(j)
            if a != b:
                parent[a] = b
    pieces: dict[int, list[int]] = {}
    for i in range(len(groups)):
        pieces.setdefault(root(i), []).append(i)
    out = Plan(pieces=[], piece_of={}, scored=scored, records=len(current),
               persons=len(first_group))
    sizes = Counter(p for p, _ in current.values())
    shared = Counter((current[t][0], i) for i, g in enumerate(groups) for t in g)
    out.pairs_held = sum(n * (n - 1) // 2 for n in sizes.values())
    out.pairs_planned = sum(len(g) * (len(g) - 1) // 2 for g in groups)
    out.pairs_kept = sum(n * (n - 1) // 2 for n in shared.values())
    out.largest_person = max(sizes.values(), default=0)
    out.largest_group = max(map(len, groups), default=0)
    for members in pieces.values():
        persons = {current[t][0] for i in members for t in groups[i]}
        if len(members) == 1 and len(persons) == 1:
            continue  # one group, one person: as held
        for i in members:
            out.piece_of.update(dict.fromkeys(groups[i], len(out.pieces)))
        out.pieces.append([groups[i] for i in members])
    return out


@dataclass
class Applied:
    merges: int = 0
    splits: int = 0
    moved: int = 0
    pieces: int = 0
    assignments: list[m.Assignment] = field(default_factory=list)
    changes: list[m.ClusterChange] = field(default_factory=list)


async def apply(service: Pseudonymiser, session: AsyncSession, the_plan: Plan, pieces: Iterable[int],
                done: set[int]) -> Applied:
    """Apply some pieces of a plan as the records are held now, holding the linkage
    lock; pieces whose records a person of these holds now come too. Adds what it
    applied to `done`."""
    await service.lock.hold(session)
    chosen = set(pieces) - done
    tokens = {t for i in chosen for g in the_plan.pieces[i] for t in g}
    while True:
        held = await _holders(session, tokens)
        more = {the_plan.piece_of[t] for t in held if t in the_plan.piece_of} - chosen - done
        if not more:
            break
        chosen |= more
        tokens |= {t for i in more for g in the_plan.pieces[i] for t in g}
    done |= chosen
    groups = [g & held.keys() for i in sorted(chosen) for g in the_plan.pieces[i]]
    groups = [g for g in groups if g]
    planned = {t for g in groups for t in g}
    owner = {t: held[t][0] for t in planned}
    result = reconcile(groups, owner, {t: s for t, (_, s) in held.items()},
                       {p: p for p in set(owner.values())})
    out = Applied(pieces=len(chosen))
    retired = {p: s for s, others in result.merges.items() for p in others}
    persons = await repo.persons_by_id(session, set(result.splits) | set(result.merges)
                                       | set(retired))
    created = [service.new_person() for _ in result.new_groups]
    await repo.insert_new(session, Person, created)
    target: dict[str, int] = {}
    for person, group in zip(created, result.new_groups, strict=True):
        target.update(dict.fromkeys(group, person.id))
    for token, person_id in result.owner.items():
        if person_id is not None and owner[token] != person_id:
            target[token] = person_id
    for token, (person_id, _) in held.items():  # linked since the plan: follows its person
        if token not in planned and person_id in retired:
            target[token] = retired[person_id]
    for survivor, others in result.merges.items():
        for pid in others:
            persons[pid].merged_into = survivor
            persons[survivor].withheld = persons[survivor].withheld or persons[pid].withheld
        out.changes.append(m.ClusterChange(
            kind="merge", survivor=persons[survivor].pseudonym, reason="relink",
            others=[persons[p].pseudonym for p in others]))
    for pid, parts in result.splits.items():
        for i in parts:
            created[i].withheld = created[i].withheld or persons[pid].withheld
        out.changes.append(m.ClusterChange(
            kind="split", survivor=persons[pid].pseudonym, reason="relink",
            others=[created[i].pseudonym for i in parts]))
    moved = await repo.repoint(session, target)
    await session.flush()
    touched = ({held[t][0] for t in moved} | set(target.values())) - retired.keys()
    place = await service.households.place(session, touched, [])
    out.assignments = await assign(session, set(moved) | place.tokens, place.changed)
    out.merges, out.splits, out.moved = len(result.merges), len(result.splits), len(moved)
    return out


async def _holders(session: AsyncSession, tokens: set[str]) -> dict[str, tuple[int, int]]:
    """`repo.records_of_holders`; for many tokens (a whole re-link) one read of every
    record is quicker than a lookup a chunk."""
    if len(tokens) <= 20_000:
        return await repo.records_of_holders(session, tokens)
    everything = await repo.person_of_all_tokens(session)
    persons = {everything[t][0] for t in tokens if t in everything}
    return {t: v for t, v in everything.items() if v[0] in persons}


async def settle_reviews(session: AsyncSession, scored: pd.DataFrame,
                         version: str) -> tuple[int, int]:
    """The review queue after a re-link with this model's pairs: pending pairs re-scored,
    or superseded when resolved or below the band; review-band pairs whose records are
    in different persons queued. Returns (superseded, queued)."""
    owner = {t: p for t, (p, _) in (await repo.person_of_all_tokens(session)).items()}
    pending = await repo.pending_pairs(session)
    # the pending pairs' scores only (a million-record re-link scores millions of pairs)
    tokens = {t for p in pending for t in (p.token_a, p.token_b)}
    near = scored[scored["unique_id_l"].isin(tokens) & scored["unique_id_r"].isin(tokens)]
    scores = {pair_key(a, b): float(p) for a, b, p in zip(
        near["unique_id_l"], near["unique_id_r"], near["match_probability"], strict=True)}
    settled = await settle_pending(session, pending, owner, scores=scores,
                                          model_version=version)
    decided = (await repo.all_decisions(session)).decided
    queued = await queue_reviews(session, scored, owner, decided, version)
    return sum(v for k, v in settled.items() if k != "re-scored"), queued


async def make_plan(session: AsyncSession, scored: pd.DataFrame,
                    tokens: set[str] | None = None) -> Plan:
    """A plan over the held records (those among `tokens`, when given: the records the
    model scored)."""
    current = await repo.person_of_all_tokens(session)
    if tokens is not None:
        current = {t: v for t, v in current.items() if t in tokens}
    decisions = await repo.all_decisions(session)
    exclusive = await repo.exclusive_keys(session)
    return await asyncio.to_thread(plan, scored, current, decisions, exclusive)


async def relink(service: Pseudonymiser, session: AsyncSession) -> tuple[RelinkReport, m.AssignmentBatch]:
    """The whole re-link in one transaction (the operator's command, service stopped)."""
    report = RelinkReport()
    await service.lock.hold(session)
    clock = time.perf_counter()
    await service.linkage.caught_up(session)  # the last linkage call's records, in the index
    scored = await asyncio.to_thread(service.linkage.index.score_all)
    report.pairs_scored = len(scored)
    report.seconds["score"] = round(time.perf_counter() - clock, 2)
    clock = time.perf_counter()
    the_plan = await make_plan(session, scored)
    report.records, report.persons_before = the_plan.records, the_plan.persons
    report.seconds["cluster"] = round(time.perf_counter() - clock, 2)
    clock = time.perf_counter()
    applied = await apply(service, session, the_plan, range(len(the_plan.pieces)), set())
    version = service.linkage.model.version
    report.review_superseded, report.review_queued = await settle_reviews(
        session, scored, version)
    await repo.mark_relinked(session, version)
    report.merges, report.splits = applied.merges, applied.splits
    report.moved_records = applied.moved
    report.persons_after = len({p for p, _ in
                                (await repo.person_of_all_tokens(session)).values()})
    report.seconds["apply"] = round(time.perf_counter() - clock, 2)
    log.info("relink: %d records, %d merges, %d splits, %d records moved", report.records,
             report.merges, report.splits, report.moved_records)
    return report, m.AssignmentBatch(assignments=applied.assignments, changes=applied.changes)
