"""NATS handlers: progress reports from the slices (counts only), what codes mean for a
subject access export, and the registry's agreements for a slice reconciling its own."""

from __future__ import annotations

import logging

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway import repository
from gateway.agreements import notice
from services.common import bus, subjects
from services.common import messages as m
from services.common.trust import Untrusted

log = logging.getLogger("tessera.gateway")


async def progress(session: AsyncSession, message: m.BatchProgress,
                   delivery: bus.Delivery) -> None:
    """Record a slice's count for one chunk, once per (batch, chunk, service)."""
    recorded = await repository.record_progress(session, message.batch_id, message.chunk,
                                                message.service, message.processed)
    if not recorded:
        log.debug("progress for batch %s chunk %d from %s already recorded",
                  message.batch_id, message.chunk, message.service)


async def receipt(session: AsyncSession, message: m.DeletionReceipt,
                  delivery: bus.Delivery) -> None:
    """Keep a slice's deletion receipt, once. The bus has checked that a slice sent it;
    that it is the slice it names is shown by its signature, which whoever relies on it
    checks against that slice's events key."""
    await repository.keep_receipt(session, **message.model_dump())


class Meanings:
    """Responder for the linker's MeaningsQuery: the registry's meaning of each code (the
    query names codes only, never a person or a date)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], bus_: bus.Bus):
        self.sessionmaker = sessionmaker
        self.bus = bus_

    async def answer(self, msg) -> None:
        try:
            query = self.bus.receive(subjects.MEANINGS, msg.subject, msg.data, msg.headers)
            async with self.sessionmaker() as session:
                found = await repository.meanings_of(session, query.codes)
            await self.bus.respond(msg, m.MeaningsReply(meanings=[
                m.CodeMeaning(dataset=d, code=c, meaning=found.get((d, c)))
                for d, c in dict.fromkeys(query.codes)]))
        except (Untrusted, ValidationError) as exc:
            log.warning("meanings: request refused (%s)", type(exc).__name__)
        except Exception as exc:
            log.error("meanings: %s", type(exc).__name__)


class Agreements:
    """Responder for a slice's AgreementsQuery: each agreement's latest revision as it was
    announced, a page at a time in id order; the slice applies what it does not hold
    (services/common/reconcile.py)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], bus_: bus.Bus):
        self.sessionmaker = sessionmaker
        self.bus = bus_

    async def answer(self, msg) -> None:
        try:
            query = self.bus.receive(subjects.AGREEMENT_STATE, msg.subject, msg.data,
                                     msg.headers)
            async with self.sessionmaker() as session:
                rows = await repository.agreements_after(session, query.after, query.limit)
                covered = await repository.datasets_by_agreement(session, [a.id for a in rows])
            await self.bus.respond(msg, m.AgreementsPage(
                agreements=[notice(a, covered.get(a.id, [])) for a in rows]))
        except (Untrusted, ValidationError) as exc:
            log.warning("agreements: request refused (%s)", type(exc).__name__)
        except Exception as exc:
            log.error("agreements: %s", type(exc).__name__)
