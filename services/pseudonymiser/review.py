"""Clerical review: an officer's decision on a queued pair, applied at once.

"match" merges the two records' persons (the older keeps its pseudonym); "non_match"
splits them if they are one person: that person's records are re-clustered from their
scored pairs with every decision as a constraint, the part holding most of the records
keeps the pseudonym and each other part becomes a new person. Either way the decision
is stored and every later linkage and re-link obeys it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.common.db import utcnow
from services.pseudonymiser import repository as repo
from services.pseudonymiser.assignment import assign
from services.pseudonymiser.clusters import cluster, reconcile
from services.pseudonymiser.models import Person, ReviewPair
from services.pseudonymiser.probabilistic import LINK, frame_from_records
from services.pseudonymiser.review_queue import settle_by_owner

if TYPE_CHECKING:
    from services.pseudonymiser.service import Pseudonymiser

log = logging.getLogger("tessera.pseudonymiser")


async def decide(service: Pseudonymiser, session: AsyncSession, pair: ReviewPair, decision: str,
                 officer: str) -> m.AssignmentBatch | None:
    """Record the decision and apply it; returns the re-assignments to publish."""
    await service.lock.hold(session)
    pair.status, pair.decided_by, pair.decided_at = decision, officer, utcnow()
    pair.resolution = None
    await session.flush()
    owners = await repo.person_of_tokens(session, [pair.token_a, pair.token_b])
    a, b = owners.get(pair.token_a), owners.get(pair.token_b)
    if a is None or b is None:
        return None  # a record no longer held: the decision still binds re-links
    # the records whose other pending pairs the merge or split may answer
    tokens = [r.record_token for r in await repo.records_of_persons(session, {a, b},
                                                                    level="person")]
    batch = None
    if decision == "match" and a != b:
        batch = await merge(service, session, [a, b], reason="review")
    if decision == "non_match" and a == b:
        batch = await split(service, session, a, reason="review")
    if batch is not None:
        await settle_by_owner(session, await repo.pending_pairs(session, tokens))
    return batch


async def merge(service: Pseudonymiser, session: AsyncSession, person_ids: list[int],
                reason: str) -> m.AssignmentBatch:
    persons = await repo.persons_by_id(session, person_ids)
    survivor_id, *others = sorted(persons)
    survivor = persons[survivor_id]
    for pid in others:
        persons[pid].merged_into = survivor_id
        survivor.withheld = survivor.withheld or persons[pid].withheld
    moved = await repo.move_records(session, others, survivor_id)
    await session.flush()
    change = m.ClusterChange(kind="merge", survivor=survivor.pseudonym, reason=reason,
                             others=[persons[p].pseudonym for p in others])
    place = await service.households.place(session, {survivor_id}, [])
    assignments = await assign(session, set(moved) | place.tokens,
                               place.changed | {survivor_id})
    log.info("%s: merged %d persons", reason, len(others) + 1)
    return m.AssignmentBatch(assignments=assignments, changes=[change])


async def split(service: Pseudonymiser, session: AsyncSession, person_id: int,
                reason: str) -> m.AssignmentBatch | None:
    """Re-cluster one person's records; parts beyond the largest become new persons."""
    records = await repo.records_of_persons(session, [person_id], level="person")
    tokens = [r.record_token for r in records]
    scored = await asyncio.to_thread(service.linkage.model.predict,
                                     frame_from_records(records))
    decisions = await repo.decisions_among(session, tokens)
    links = [(a, b, p) for a, b, p, band in zip(
        scored["unique_id_l"], scored["unique_id_r"], scored["match_probability"],
        scored["band"], strict=True) if band == LINK]
    groups = cluster(tokens, links, forced=decisions.matches, forbidden=decisions.non_matches,
                     exclusive=await repo.exclusive_keys(session, tokens)).groups()
    if len(groups) < 2:
        return None
    plan = reconcile(groups, dict.fromkeys(tokens, person_id),
                     {r.record_token: r.received_seq for r in records}, {person_id: 0})
    original = (await repo.persons_by_id(session, [person_id]))[person_id]
    created = [service.new_person() for _ in plan.new_groups]
    for p in created:
        p.withheld = original.withheld  # an opt-out covers every part of the person
    await repo.insert_new(session, Person, created)
    moved: list[str] = []
    for person, group in zip(created, plan.new_groups, strict=True):
        moved += await repo.move_tokens(session, sorted(group), person.id)
    await session.flush()
    ids = {person_id} | {p.id for p in created}
    place = await service.households.place(session, ids, [])
    assignments = await assign(session, set(moved) | place.tokens, place.changed | ids)
    log.info("%s: split one person into %d", reason, len(created) + 1)
    return m.AssignmentBatch(assignments=assignments, changes=[m.ClusterChange(
        kind="split", survivor=original.pseudonym, reason=reason,
        others=[p.pseudonym for p in created])])
