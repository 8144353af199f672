"""NATS handlers: event batches, assignment batches, consent decisions, republish requests.

Each runs inside the consumer's transaction and publishes only through the outbox.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import bus, subjects
from services.common import messages as m
from services.common.runtime import Runtime
from services.linker import service
from services.linker.repository import chunks, serialize


class Handlers:
    def __init__(self, rt: Runtime, profiles_per_message: int = 200):
        self.rt = rt
        self.per_message = max(1, profiles_per_message)

    async def _publish(self, session: AsyncSession, affected: service.Affected) -> None:
        profiles = await service.build_profiles(session, affected)
        for part in chunks(profiles, self.per_message):
            self.rt.outbox.add(session, subjects.PROFILES, m.ProfileBatch(profiles=part))

    async def events(self, session: AsyncSession, message: m.EventBatch,
                     delivery: bus.Delivery) -> None:
        await serialize(session)
        affected = await service.ingest_events(session, message)
        await self._publish(session, affected)
        self.rt.outbox.add(session, subjects.PROGRESS, m.BatchProgress(
            batch_id=message.batch_id, chunk=message.chunk, service="linker",
            processed=len(message.events)))

    async def assignments(self, session: AsyncSession, message: m.AssignmentBatch,
                          delivery: bus.Delivery) -> None:
        await serialize(session)
        await self._publish(session, await service.apply_assignments(session, message))

    async def republish(self, session: AsyncSession, message: m.RepublishRequest,
                        delivery: bus.Delivery) -> None:
        await serialize(session)
        await self._publish(session, await service.republish(session, message))

    async def decision(self, session: AsyncSession, message: m.ConsentDecision,
                       delivery: bus.Delivery) -> None:
        await serialize(session)
        await self._publish(session, await service.decide(session, message))
