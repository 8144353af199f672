"""The full re-link: every held person-level record re-scored and re-clustered at once.

Scores all candidate pairs within the held records with the active model, clusters the
linked pairs with every reviewer's decision as a constraint, and reconciles the result
with the persons already held (clusters.reconcile): pseudonyms stay with the part of a
person holding most of its records; persons brought together merge into the oldest;
parts cut away become new persons. Only records whose person changes are re-assigned,
and the merges and splits are published with them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.pseudonymiser import repository as repo
from services.pseudonymiser import review
from services.pseudonymiser.clusters import cluster, pair_key, reconcile
from services.pseudonymiser.linking import queue_reviews
from services.pseudonymiser.models import Person
from services.pseudonymiser.probabilistic import LINK

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


async def relink(service, session: AsyncSession) -> tuple[RelinkReport, m.AssignmentBatch]:
    report = RelinkReport()
    await service.hold(session)  # no linkage call runs meanwhile (the CLI's service is idle)
    clock = time.perf_counter()
    current = await repo.person_of_all_tokens(session)  # token -> (person id, seq)
    report.records = len(current)
    report.persons_before = len({p for p, _ in current.values()})
    await service.linker.remembered(session)  # the last linkage call's records, in the index
    scored = await asyncio.to_thread(service.index.score_all)
    report.pairs_scored = len(scored)
    report.seconds["score"] = round(time.perf_counter() - clock, 2)
    clock = time.perf_counter()

    decisions = await repo.all_decisions(session)
    linked = scored[(scored["band"] == LINK) & scored["unique_id_l"].isin(current)
                    & scored["unique_id_r"].isin(current)]
    groups = cluster(current, zip(linked["unique_id_l"], linked["unique_id_r"],
                                  linked["match_probability"], strict=True),
                     forced=decisions.matches, forbidden=decisions.non_matches,
                     exclusive=await repo.exclusive_keys(session)).groups()
    owner = {t: p for t, (p, _) in current.items()}
    plan = reconcile(groups, owner, {t: s for t, (_, s) in current.items()},
                     {p: p for p in set(owner.values())})
    report.seconds["cluster"] = round(time.perf_counter() - clock, 2)
    clock = time.perf_counter()

    persons = await repo.persons_by_id(session, set(plan.splits) | set(plan.merges) | {
        p for retired in plan.merges.values() for p in retired})
    created = [service.new_person() for _ in plan.new_groups]
    await repo.insert_new(session, Person, created)
    moves: dict[int, list[str]] = {}
    for i, group in enumerate(plan.new_groups):
        moves[created[i].id] = sorted(group)
    for token, target in plan.owner.items():
        if target is not None and owner.get(token) != target:
            moves.setdefault(target, []).append(token)
    changes: list[m.ClusterChange] = []
    for survivor, retired in plan.merges.items():
        for pid in retired:
            persons[pid].merged_into = survivor
            persons[survivor].withheld = persons[survivor].withheld or persons[pid].withheld
        changes.append(m.ClusterChange(kind="merge", survivor=persons[survivor].pseudonym,
                                       others=[persons[p].pseudonym for p in retired],
                                       reason="relink"))
    for pid, parts in plan.splits.items():
        for i in parts:
            created[i].withheld = created[i].withheld or persons[pid].withheld
        changes.append(m.ClusterChange(kind="split", survivor=persons[pid].pseudonym,
                                       others=[created[i].pseudonym for i in parts],
                                       reason="relink"))
    moved = await repo.repoint(session, {t: target for target, tokens in moves.items()
                                         for t in tokens})
    await session.flush()
    touched = ({owner[t] for t in moved} | set(moves)) - {p for r in plan.merges.values()
                                                          for p in r}
    dirty, extra = await service._place(session, touched, [])
    assignments = await service._assign(session, set(moved) | extra, dirty)
    final = dict(plan.owner)
    for person, group in zip(created, plan.new_groups, strict=True):
        final.update(dict.fromkeys(group, person.id))
    version = service.index.model.version
    pending = await repo.pending_pairs(session)
    # the pending pairs' scores only (a million-record re-link scores millions of pairs)
    tokens = {t for p in pending for t in (p.token_a, p.token_b)}
    near = scored[scored["unique_id_l"].isin(tokens) & scored["unique_id_r"].isin(tokens)]
    scores = {pair_key(a, b): float(p) for a, b, p in zip(
        near["unique_id_l"], near["unique_id_r"], near["match_probability"], strict=True)}
    settled = await review.settle_pending(session, pending, final, scores=scores,
                                          model_version=version)
    report.review_superseded = sum(v for k, v in settled.items() if k != "re-scored")
    report.review_queued = await queue_reviews(session, scored, final, decisions.decided,
                                               version)
    report.merges = len(plan.merges)
    report.splits = len(plan.splits)
    report.moved_records = len(moved)
    report.persons_after = len(set(final.values()))
    report.seconds["apply"] = round(time.perf_counter() - clock, 2)
    log.info("relink: %d records, %d merges, %d splits, %d records moved", report.records,
             report.merges, report.splits, report.moved_records)
    return report, m.AssignmentBatch(assignments=assignments, changes=changes)
