"""NATS handlers: progress reports from the slices (counts only)."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from gateway import repository
from services.common import bus
from services.common import messages as m

log = logging.getLogger("tessera.gateway")


async def progress(session: AsyncSession, message: m.BatchProgress,
                   delivery: bus.Delivery) -> None:
    """Record a slice's count for one chunk, once per (batch, chunk, service)."""
    recorded = await repository.record_progress(session, message.batch_id, message.chunk,
                                                message.service, message.processed)
    if not recorded:
        log.debug("progress for batch %s chunk %d from %s already recorded",
                  message.batch_id, message.chunk, message.service)
