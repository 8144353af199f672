"""NATS handlers: code catalogues, profiles, consent decisions.

Each runs inside the consumer's transaction and publishes flags only through the outbox.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import bus
from services.common import messages as m
from services.common.runtime import Runtime
from services.scorer import bulk, rescore, retention, service
from services.scorer.cohorts import Cohorts
from services.scorer.outgoing import publish_flags, request_rescore
from services.scorer.repository import serialize

log = logging.getLogger("tessera.scorer")


class Handlers:
    def __init__(self, rt: Runtime, scorer: service.Scorer, flags_per_message: int = 500,
                 cohorts: Cohorts | None = None):
        self.rt = rt
        self.scorer = scorer
        self.cohorts = cohorts or Cohorts(scorer.today)
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
        message = await service.newer_profiles(session, message)
        before = await retention.prior(session, {p.pseudonym for p in message.profiles})
        changes = await self.scorer.profiles(session, message)
        await self.cohorts.track(session, message.profiles)
        now = await retention.record(session, message)
        flags = retention.stamp(changes.flags, now, before)
        publish_flags(self.rt, session, flags, self.per_message)

    async def export_chunk(self, session: AsyncSession, message: m.ProfileExportChunk,
                           delivery: bus.Delivery) -> None:
        """A chunk of a bulk re-score: evaluated with the vectorised core, only changes
        written, flag changes published through the outbox as for changed profiles."""
        await serialize(session)
        applied = await self.bulk.apply(session, message)
        await self.follow(session, message, applied.newer)
        publish_flags(self.rt, session, applied.flags, self.per_message)

    async def follow(self, session: AsyncSession, message: m.ProfileExportChunk,
                     newer: set[str]) -> None:
        """The cohorts' part of a chunk: only the profiles they follow or now enrol, and
        not those a newer Profile message has set."""
        chunk = bulk.decode(message)
        wanted = await self.cohorts.followed(session, chunk.level, chunk.pseudonyms) - newer
        if wanted:
            await self.cohorts.track(session, chunk.profiles(wanted))

    async def decision(self, session: AsyncSession, message: m.ConsentDecision,
                       delivery: bus.Delivery) -> None:
        await serialize(session)
        before = await retention.prior(session, [message.person])
        changes = await self.scorer.decision(session, message)
        publish_flags(self.rt, session, retention.stamp(changes.flags, {}, before),
                      self.per_message)
