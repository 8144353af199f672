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
2. read the active linkage model and bring the index up to the database, which now
   holds everything any earlier writer committed and will not change behind it: the
   standby's own index caught up (``STANDBY_INDEX``: loaded when it started, then
   following the records received since, by their ``received_seq``, and at election
   rid of those deleted), or one rebuilt from the database;
3. start the writer's work, then say so (``writing``).

Stepping down refuses linkage writes at once, stops that work and forgets the index (a
standby keeping one loads it again).
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
from services.common.tasks import cancel_and_wait
from services.pseudonymiser import repository as repo
from services.pseudonymiser.assembly import active_model, configured
from services.pseudonymiser.learning import Learning
from services.pseudonymiser.probabilistic import LinkageModel
from services.pseudonymiser.roles import STANDBY, WRITER
from services.pseudonymiser.service import Pseudonymiser
from services.pseudonymiser.settings import PseudonymiserSettings

log = logging.getLogger("tessera.pseudonymiser.writer")

Job = tuple[float, Callable[[], Awaitable[object]], str]  # (every seconds, job, name)


@dataclass(frozen=True)
class Term:
    """This replica's latest term as the writer (counts and seconds only)."""

    epoch: int
    elected_at: datetime
    held: int  # records in the index it wrote with
    caught_up: bool  # the standby's index caught up (else rebuilt from the database)
    index_s: float  # catching up or rebuilding the index
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
        # a standby's copy of the active model, by its row's id
        self._model: tuple[int, LinkageModel] | None = None
        self._warming: asyncio.Task | None = None  # a standby's index, following
        self._seq: int | None = None  # its records' received_seq it holds up to (None: none)
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
        return WRITER if self.writing else STANDBY

    async def start(self) -> None:
        """A standby until elected: the outbox is relayed by the writer alone. A replica
        that wins the lease at once starts as the writer."""
        if self.rt.relay is not None:
            await self.rt.relay.stop()
        await self.election.start(wait=True)
        self._keep_warm()

    async def stop(self) -> None:
        await self._stop_warming()
        await self.election.stop()

    def describe(self) -> dict:
        """Who writes, for readiness and for a standby's refusals (names and numbers)."""
        writer = self.lease.writer
        return {"role": self.role, "replica": self.lease.me.replica,
                "writer": None if writer is None else
                {"replica": writer.replica, "url": writer.url, "epoch": writer.epoch},
                "epoch": self.service.lock.epoch,
                "index": "writing" if self.writing else
                "following" if self._seq is not None else "none"}

    async def model(self, session: AsyncSession) -> LinkageModel:
        """The linkage model in use: the writer's, or on a standby the active one stored
        (read again when the writer has stored another)."""
        if self.writing:
            return self.service.linkage.model
        row = await repo.active_model(session)
        if row is None:
            return self.service.linkage.model
        if self._model is None or self._model[0] != row.id:
            self._model = (row.id, configured(LinkageModel.from_json(row.document),
                                              self.settings))
        return self._model[1]

    # --- terms -------------------------------------------------------------------------

    async def _elected(self) -> None:
        won = time.perf_counter()
        replica = self.lease.me.replica
        following = await self._stop_warming()
        async with self.rt.sessionmaker() as session, session.begin():
            epoch = await repo.take_fence(session, replica)
            model = await active_model(session, self.settings)  # stored if none is yet
        log.info("linkage writer: replica %s took epoch %d", replica, epoch)
        start = time.perf_counter()
        caught_up = following is not None and self.service.linkage.model.version == \
            model.version
        async with self.rt.sessionmaker() as session:
            if caught_up:
                added, _ = await self.service.linkage.catch_up(session, following)
                changed = await self.service.linkage.reconcile(session)
                held = await asyncio.to_thread(len, self.service.linkage.index)
                how = f"caught up ({added} added, {changed} reconciled)"
            else:
                self.service.reset(model)
                held = await self.service.load(session)
                how = "rebuilt"
        index_s = time.perf_counter() - start
        self.lease.note(epoch=epoch)
        self.service.lock.epoch = epoch
        self._begin_work()
        await self.learning.resume()
        self.term = Term(epoch=epoch, elected_at=utcnow(), held=held, caught_up=caught_up,
                         index_s=round(index_s, 3),
                         ready_s=round(time.perf_counter() - won, 3))
        log.info("linkage writer: replica %s writing in epoch %d; index of %d held records "
                 "%s in %.2f s, writing %.2f s after winning the lease", replica, epoch,
                 held, how, index_s, self.term.ready_s)

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
            await cancel_and_wait(task)
        self._running = []
        for consumer in self.consumers.values():
            await consumer.stop()
        await self.learning.close()
        if self.rt.relay is not None:
            await self.rt.relay.stop()
        self.service.reset(self.service.linkage.model)  # the index's memory freed
        log.warning("linkage writer: replica %s stood down from epoch %s",
                    self.lease.me.replica, epoch)
        self._keep_warm()

    # --- a standby's index -----------------------------------------------------------------

    def _keep_warm(self) -> None:
        if self.settings.standby_index and not self.writing and (
                self._warming is None or self._warming.done()):
            self._warming = asyncio.get_running_loop().create_task(
                self._follow(), name="pseudonymiser-standby-index")

    async def _stop_warming(self) -> int | None:
        """Stop following; the received_seq the standby's index holds up to (None: it
        has none to catch up)."""
        if self._warming is not None:
            await cancel_and_wait(self._warming)
            self._warming = None
        return self._seq

    async def _follow(self) -> None:
        """Load the index (of the active model), then add what the writer links or
        changes, every lease_renew_s; load it again when the writer has a new model."""
        self._seq = None
        try:
            while True:
                async with self.rt.sessionmaker() as session:
                    stored = await repo.active_model(session)
                    model = await active_model(session, self.settings, store=False)
                    after = await repo.next_seq(session) - 1  # what the load holds at least
                self.service.reset(model)
                start = time.perf_counter()
                async with self.rt.sessionmaker() as session:
                    held = await self.service.load(session)
                self._seq = after
                log.info("standby: index of %d held records loaded in %.1f s", held,
                         time.perf_counter() - start)
                while True:
                    await asyncio.sleep(self.settings.lease_renew_s)
                    async with self.rt.sessionmaker() as session:
                        row = await repo.active_model(session)
                        if row is not None and (stored is None or row.id != stored.id):
                            break  # a model stored (at first start, or trained) since
                        _, self._seq = await self.service.linkage.catch_up(session,
                                                                           self._seq)
                self._seq = None
        except Exception as exc:  # elected, it rebuilds instead
            self._seq = None
            log.warning("standby: index not kept (%s)", type(exc).__name__)

    def _fenced_off(self) -> None:
        """A linkage transaction found a newer epoch than this writer's: another process
        took the fence. Step down; this replica may be elected again and take a newer
        one, with an index rebuilt from what the other wrote."""
        if self._resigning is None or self._resigning.done():
            log.error("linkage writer: epoch %s fenced off; standing down",
                      self.service.lock.epoch)
            self._resigning = asyncio.get_running_loop().create_task(
                self.election.resign())
