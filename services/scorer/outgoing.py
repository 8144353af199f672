"""What the scorer asks of other slices, through its outbox: flags published, profiles
asked for again, a bulk re-score; and the daily sweep of counts that age out."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.common import subjects
from services.common.runtime import Runtime
from services.scorer import repository as repo
from services.scorer import service
from services.scorer.cohorts import Cohorts
from services.scorer.repository import chunks, serialize


def publish_flags(rt: Runtime, session: AsyncSession, flags: list[m.Flag], per_message: int):
    for part in chunks(flags, max(1, per_message)):
        rt.outbox.add(session, subjects.FLAGS, m.FlagBatch(flags=part))


async def request_rescore(rt: Runtime, session: AsyncSession,
                          levels: list[str] | None = None) -> str:
    """A bulk re-score: ask the linker (through the outbox) to export every profile of the
    levels in columnar chunks; returns the request id (see GET /v1/rescore/{id})."""
    levels = levels or ["person", "household"]
    request_id = uuid.uuid4().hex
    await repo.add_rescore(session, request_id, levels)
    rt.outbox.add(session, subjects.REPUBLISH, m.RepublishRequest(
        request_id=request_id, all=True, levels=levels, export=True))
    return request_id


def request_republish(rt: Runtime, session: AsyncSession,
                      profiles: list[m.ProfileRef] | None = None,
                      levels: list[str] | None = None, per_message: int = 500) -> str:
    """Ask the linker (through the outbox) to republish some profiles, or, with `levels`,
    every profile of those levels (a full re-score). Returns the request id."""
    request_id = uuid.uuid4().hex
    if levels is not None:
        rt.outbox.add(session, subjects.REPUBLISH, m.RepublishRequest(
            request_id=request_id, all=True, levels=levels))
    for i, part in enumerate(chunks(profiles or [], max(1, per_message))):
        rt.outbox.add(session, subjects.REPUBLISH, m.RepublishRequest(
            request_id=f"{request_id}-{i}", profiles=part))
    return request_id


async def sweep(rt: Runtime, scorer: service.Scorer, limit: int = 50_000) -> int:
    """Ask again for the profiles whose counts age out by today; returns how many."""
    async with rt.sessionmaker() as session, session.begin():
        await serialize(session)
        due = await scorer.due(session, limit)
        request_republish(rt, session, due)
    if due and rt.relay:
        rt.relay.wake()
    return len(due)


async def measure(rt: Runtime, cohorts: Cohorts, through: str | None = None,
                  batch: int = 2000) -> int:
    """Measure every cohort member through a month, a transaction a batch; how many."""
    total = 0
    while True:
        async with rt.sessionmaker() as session, session.begin():
            await serialize(session)
            n = await cohorts.measure(session, through, batch)
        total += n
        if n < batch:
            return total
