"""One linkage writer among the pseudonymiser's replicas, and what the others do.

The replicas elect the writer through a lease in NATS (services.common.lease). Linkage
reads the index, then writes persons: two writers would each link against an index
missing the other's records and make the same person twice. So only the writer consumes
the identity, opt-out, consent-decision and agreement streams, relays the outbox, runs
the retention sweep and the linkage model's training and re-links, and applies review
decisions. Every replica, the writer too, answers identity, area and release-ledger
requests and the HTTP read routes from the database; a standby refuses the writer's
routes (api.py).

Becoming the writer, in order:

1. take the next fencing epoch in the database (services.common.db.take_fence), which
   waits for a transaction the last writer left open; once it commits, nothing of an
   older epoch can commit (every linkage transaction checks its epoch first, lock.py);
2. read the active linkage model and rebuild the index from the database, which now
   holds everything any earlier writer committed and will not change behind it;
3. start the writer's work, then say so (``writing``).

Stepping down refuses linkage writes at once, stops that work and forgets the index.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.bus import Consumer
from services.common.db import utcnow
from services.common.lease import Election, Lease
from services.common.runtime import Runtime
from services.common.subjects import WRITER_LEASE
from services.pseudonymiser import repository as repo
from services.pseudonymiser.assembly import active_model, configured
from services.pseudonymiser.learning import Learning
from services.pseudonymiser.probabilistic import LinkageModel
from services.pseudonymiser.service import Pseudonymiser
from services.pseudonymiser.settings import PseudonymiserSettings

log = logging.getLogger("tessera.pseudonymiser.writer")

Job = tuple[float, Callable[[], Awaitable[object]], str]  # (every seconds, job, name)


@dataclass(frozen=True)
class Term:
    """This replica's latest term as the writer (counts and seconds only)."""

    epoch: int
    elected_at: datetime
    held: int  # records in the index it rebuilt
    rebuild_s: float  # rebuilding the index from the database
    ready_s: float  # from winning the lease to writing


class Writer:
    def __init__(self, rt: Runtime, settings: PseudonymiserSettings,
                 service: Pseudonymiser, learning: Learning,
                 consumers: Callable[[], dict[str, Consumer]], jobs: list[Job]):
        self.rt = rt
        self.settings = settings
        self.service = service
        self.learning = learning
        self._make_consumers = consumers
        self.consumers: dict[str, Consumer] = {}  # made at the first term, then restarted
        self._jobs = jobs
        self._running: list[asyncio.Task] = []
        self._resigning: asyncio.Task | None = None
        self._model: LinkageModel | None = None  # a standby's copy of the active model
        self.term: Term | None = None
        self.lease = Lease(rt.nc.jetstream(timeout=settings.lease_renew_s),
                           WRITER_LEASE.name, replica=settings.replica_name,
                           ttl_s=settings.lease_ttl_s, renew_s=settings.lease_renew_s,
                           url=settings.replica_url)
        self.election = Election(self.lease, self._elected, self._deposed)
        service.lock.fenced_off = self._fenced_off

    @property
    def writing(self) -> bool:
        return self.service.lock.epoch is not None

    @property
    def role(self) -> str:
        return "writer" if self.writing else "standby"

    async def start(self) -> None:
        """A standby until elected: the outbox is relayed by the writer alone. A replica
        that wins the lease at once starts as the writer."""
        if self.rt.relay is not None:
            await self.rt.relay.stop()
        await self.election.start(wait=True)

    async def stop(self) -> None:
        await self.election.stop()

    def describe(self) -> dict:
        """Who writes, for readiness and for a standby's refusals (names and numbers)."""
        writer = self.lease.writer
        return {"role": self.role, "replica": self.lease.me.replica,
                "writer": None if writer is None else
                {"replica": writer.replica, "url": writer.url, "epoch": writer.epoch},
                "epoch": self.service.lock.epoch}

    async def model(self, session: AsyncSession) -> LinkageModel:
        """The linkage model in use: the writer's, or on a standby the active one stored
        (read again when the writer has stored another)."""
        if self.writing:
            return self.service.linkage.model
        row = await repo.active_model(session)
        if row is None:
            return self.service.linkage.model
        if self._model is None or self._model.version != row.version:
            self._model = configured(LinkageModel.from_json(row.document), self.settings)
        return self._model

    # --- terms -------------------------------------------------------------------------

    async def _elected(self) -> None:
        won = time.perf_counter()
        replica = self.lease.me.replica
        async with self.rt.sessionmaker() as session, session.begin():
            epoch = await repo.take_fence(session, replica)
            model = await active_model(session, self.settings)  # stored if none is yet
        log.info("linkage writer: replica %s took epoch %d", replica, epoch)
        self.service.reset(model)
        start = time.perf_counter()
        async with self.rt.sessionmaker() as session:
            held = await self.service.load(session)
        rebuild_s = time.perf_counter() - start
        self.lease.note(epoch=epoch)
        self.service.lock.epoch = epoch
        self._begin_work()
        await self.learning.resume()
        self.term = Term(epoch=epoch, elected_at=utcnow(), held=held,
                         rebuild_s=round(rebuild_s, 3),
                         ready_s=round(time.perf_counter() - won, 3))
        log.info("linkage writer: replica %s writing in epoch %d; index of %d held records "
                 "rebuilt in %.2f s, writing %.2f s after winning the lease", replica,
                 epoch, held, rebuild_s, self.term.ready_s)

    def _begin_work(self) -> None:
        if not self.consumers:
            self.consumers.update(self._make_consumers())
        else:
            for consumer in self.consumers.values():
                consumer.start()
        if self.rt.relay is not None:
            self.rt.relay.start()
        self._running = [self.rt.every(seconds, job, name) for seconds, job, name in self._jobs]

    async def _deposed(self) -> None:
        epoch, self.service.lock.epoch = self.service.lock.epoch, None  # refused from now
        for task in self._running:
            task.cancel()
        self._running = []
        for consumer in self.consumers.values():
            await consumer.stop()
        await self.learning.close()
        if self.rt.relay is not None:
            await self.rt.relay.stop()
        self.service.reset(self.service.linkage.model)  # the index's memory freed
        log.warning("linkage writer: replica %s stood down from epoch %s",
                    self.lease.me.replica, epoch)

    def _fenced_off(self) -> None:
        """A linkage transaction found a newer epoch than this writer's: another process
        took the fence. Step down; this replica may be elected again and take a newer
        one, with an index rebuilt from what the other wrote."""
        if self._resigning is None or self._resigning.done():
            log.error("linkage writer: epoch %s fenced off; standing down",
                      self.service.lock.epoch)
            self._resigning = asyncio.get_running_loop().create_task(
                self.election.resign())
