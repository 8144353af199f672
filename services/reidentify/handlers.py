"""NATS handlers: flags from the scorer, consent decisions from consent."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import bus
from services.common import messages as m
from services.reidentify import retention, service


async def flags(session: AsyncSession, message: m.FlagBatch, delivery: bus.Delivery) -> None:
    await service.apply_flags(session, message)
    await retention.tag(session, message)


async def decisions(session: AsyncSession, message: m.ConsentDecision,
                    delivery: bus.Delivery) -> None:
    await service.apply_decision(session, message)
