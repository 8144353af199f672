"""NATS handlers: event batches, assignment batches, code categories, consent decisions,
republish requests.

Each runs inside the consumer's transaction. A handler stores what it was sent and marks
the profiles it changed; the profile publisher (publisher.py) sends each marked profile
once per round through the outbox, so a pseudonym touched by many batches is published
once, not once per batch.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import bus, subjects
from services.common import messages as m
from services.common.runtime import Runtime
from services.linker import repository as repo
from services.linker import retention, service
from services.linker.repository import serialize


class Handlers:
    def __init__(self, rt: Runtime):
        self.rt = rt

    async def events(self, session: AsyncSession, message: m.EventBatch,
                     delivery: bus.Delivery) -> None:
        seq = await serialize(session)
        affected = await service.ingest_events(session, message)
        await retention.tag(session, message)
        await service.mark(session, affected, seq)
        self.rt.outbox.add(session, subjects.PROGRESS, m.BatchProgress(
            batch_id=message.batch_id, chunk=message.chunk, service="linker",
            processed=len(message.events)))

    async def assignments(self, session: AsyncSession, message: m.AssignmentBatch,
                          delivery: bus.Delivery) -> None:
        seq = await serialize(session)
        await service.mark(session, await service.apply_assignments(session, message), seq)

    async def assignments_group(self, session: AsyncSession, items) -> None:
        """Queued assignment messages in one transaction: their assignments together (the
        latest version of each record wins, as applying them in turn would leave it),
        one lock, one marking of the profiles they change."""
        batch = m.AssignmentBatch.model_construct(
            assignments=[a for message, _ in items for a in message.assignments],
            changes=[c for message, _ in items for c in message.changes])
        await self.assignments(session, batch, items[-1][1])

    async def republish(self, session: AsyncSession, message: m.RepublishRequest,
                        delivery: bus.Delivery) -> None:
        if message.all and message.export:
            # A bulk re-score: store one export job per level; the exporter sends them.
            await repo.add_exports(session, message.request_id, message.levels)
            return
        seq = await serialize(session)
        await service.mark(session, await service.republish(session, message, seq), seq)

    async def codes(self, session: AsyncSession, message: m.CodeCatalogue,
                    delivery: bus.Delivery) -> None:
        """A dataset's code categories replace what was held for it."""
        await repo.replace_code_categories(session, message.dataset, [
            {"dataset": message.dataset, "code": c.code, "category": c.category,
             "headline": c.headline} for c in message.codes])

    async def decision(self, session: AsyncSession, message: m.ConsentDecision,
                       delivery: bus.Delivery) -> None:
        seq = await serialize(session)
        await service.mark(session, await service.decide(session, message), seq)
