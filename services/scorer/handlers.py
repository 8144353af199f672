"""NATS handlers: code catalogues, profiles, consent decisions.

Each runs inside the consumer's transaction and publishes flags only through the outbox.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import bus, subjects
from services.common import messages as m
from services.common.runtime import Runtime
from services.scorer import repository as repo
from services.scorer import rescore, retention, service
from services.scorer.repository import chunks, serialize

log = logging.getLogger("tessera.scorer")


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


class Handlers:
    def __init__(self, rt: Runtime, scorer: service.Scorer, flags_per_message: int = 500):
        self.rt = rt
        self.scorer = scorer
        self.bulk = rescore.BulkScorer(scorer.today)
        self.per_message = flags_per_message

    async def codes(self, session: AsyncSession, message: m.CodeCatalogue,
                    delivery: bus.Delivery) -> None:
        await serialize(session)
        if await service.store_categories(session, message):
            # a changed category or headline changes counts already stored: every profile
            # is evaluated again (a code's events are not indexed here, only counts)
            request_id = await request_rescore(self.rt, session)
            log.info("codes of %s changed: re-score %s", message.dataset, request_id)

    async def profiles(self, session: AsyncSession, message: m.ProfileBatch,
                       delivery: bus.Delivery) -> None:
        await serialize(session)
        before = await retention.prior(session, {p.pseudonym for p in message.profiles})
        changes = await self.scorer.profiles(session, message)
        await rescore.touch(session, message)
        now = await retention.record(session, message)
        flags = retention.stamp(changes.flags, now, before)
        publish_flags(self.rt, session, flags, self.per_message)

    async def export_chunk(self, session: AsyncSession, message: m.ProfileExportChunk,
                           delivery: bus.Delivery) -> None:
        """A chunk of a bulk re-score: evaluated with the vectorised core, only changes
        written, flag changes published through the outbox as for changed profiles."""
        await serialize(session)
        applied = await self.bulk.apply(session, message)
        publish_flags(self.rt, session, applied.flags, self.per_message)

    async def decision(self, session: AsyncSession, message: m.ConsentDecision,
                       delivery: bus.Delivery) -> None:
        await serialize(session)
        before = await retention.prior(session, [message.person])
        changes = await self.scorer.decision(session, message)
        publish_flags(self.rt, session, retention.stamp(changes.flags, {}, before),
                      self.per_message)
