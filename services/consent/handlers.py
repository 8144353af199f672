"""NATS handlers: consent requests from the gateway, resolutions from the pseudonymiser.

Both run inside the consumer's transaction and publish only through the outbox.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import bus, subjects
from services.common import messages as m
from services.common.runtime import Runtime
from services.consent import service

log = logging.getLogger("tessera.consent")


class Handlers:
    def __init__(self, rt: Runtime):
        self.rt = rt

    def _publish(self, session: AsyncSession, decisions: list[m.ConsentDecision]) -> None:
        for decision in decisions:
            self.rt.outbox.add(session, subjects.DECISIONS, decision)

    async def requests(self, session: AsyncSession, message: m.ConsentRequestBatch,
                       delivery: bus.Delivery) -> None:
        decisions = await service.on_requests(session, message)
        if decisions is None:
            log.info("consent requests: chunk %d of batch %s already applied",
                     message.chunk, message.batch_id)
            return
        self._publish(session, decisions)
        self.rt.outbox.add(session, subjects.PROGRESS, m.BatchProgress(
            batch_id=message.batch_id, chunk=message.chunk, service="consent",
            processed=len(message.items)))
        log.info("consent requests: %d received, %d decided", len(message.items),
                 len(decisions))

    async def resolved(self, session: AsyncSession, message: m.OptoutResolved,
                       delivery: bus.Delivery) -> None:
        decisions = await service.on_resolved(session, message)
        self._publish(session, decisions)
        if decisions:
            log.info("resolution decided %d waiting requests", len(decisions))
