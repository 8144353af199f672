"""What a service's lifespan builds: engine, sessionmaker, NATS, outbox relay, consumers."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from services.common import bus, revocations, tracing
from services.common.db import (
    WalCheckpointer,
    build_engine,
    build_sessionmaker,
    sqlite_path,
)
from services.common.gatekeeper import Gatekeeper
from services.common.metrics import Metrics
from services.common.securitylog.service import SecurityEvents
from services.common.settings import ServiceSettings
from services.common.subjects import Channel
from services.common.tasks import cancel_and_wait
from services.common.tokens import (
    FileKeys,
    Lifetimes,
    TokenVerifier,
    UrlKeys,
    discover_jwks_url,
)
from services.common.trust import Keyring

log = logging.getLogger("tessera.runtime")
SHUTDOWN_STEP_S = 8.0  # NATS's own drain gives up after 5 s


class Runtime:
    def __init__(self, settings: ServiceSettings, *, inbox_model=None, outbox_model=None,
                 events_model=None, migrations_dir: Path | None = None,
                 error_cb: Callable[[Exception], Awaitable[None]] | None = None,
                 metrics: Metrics | None = None):
        self.settings = settings
        self.service = settings.service_name
        # the process's metrics, which /metrics serves; a slice adds its own (metrics.part)
        self.metrics = metrics or Metrics(self.service)
        self._unrefresh: Callable[[], None] | None = None
        self.inbox_model = inbox_model
        self.outbox_model = outbox_model
        self.events_model = events_model
        self.migrations_dir = migrations_dir  # for the schema head it should be at
        self.started_at = datetime.now(UTC)
        self.last_run: dict[str, datetime] = {}  # periodic job -> when it last succeeded
        # the slice's security log, when it has the table (securitylog.service)
        self.security: SecurityEvents | None = None
        self.error_cb = error_cb
        self.consumers: list[bus.Consumer] = []
        self.relay: bus.OutboxRelay | None = None
        self.outbox = bus.Outbox(outbox_model) if outbox_model is not None else None
        self._tasks: list[asyncio.Task] = []
        self._after_reconnect: list[Callable[[], Awaitable[None]]] = []
        self.checkpointer: WalCheckpointer | None = None

    async def __aenter__(self) -> Runtime:
        s = self.settings
        # keys first: a service without its bus key or the trust file does not start
        keyring = Keyring.load(self.service, s.bus_key_path, s.bus_trust_path,
                               s.private_key_passphrase_file,
                               refuse_plain=s.refuse_plain_keys)
        path = sqlite_path(s.database_url)
        key = s.database_key()
        if path is not None and s.sqlite_checkpoint_s > 0:
            self.checkpointer = WalCheckpointer(path, s.sqlite_wal_limit_mb, key)
        self.engine = build_engine(s.database_url, key=key, cache_mb=s.sqlite_cache_mb,
                                   mmap_mb=s.sqlite_mmap_mb, wal_limit_mb=s.sqlite_wal_limit_mb,
                                   background_checkpoint=self.checkpointer is not None)
        self.sessionmaker = build_sessionmaker(self.engine)
        try:
            self.nc = await bus.connect(
                url=s.nats_url, service=self.service, user=s.nats_user,
                password=s.nats_password.get_secret_value(), error_cb=self.error_cb,
                reconnected_cb=self._reconnected, tls_ca_file=s.nats_tls_ca_file,
                nkey_file=s.nats_nkey_file,
            )
        except BaseException:
            await self.engine.dispose()
            raise
        try:
            self.bus = bus.Bus(self.nc, self.service, keyring)
            self.js = self.bus.js
            self.revocations = revocations.Revocations(self)
            await self.revocations.start()
            self.gatekeeper = Gatekeeper(await self._verifier(), self.revocations.is_revoked)
            if self.events_model is not None:  # its key is checked before anything starts
                self.security = SecurityEvents(self.sessionmaker, self.events_model, self.js,
                                               s)
        except BaseException:  # no revocation list or no issuer keys: no start, nothing left
            for task in self._tasks:
                task.cancel()
            await self.nc.close()
            await self.engine.dispose()
            raise
        if self.checkpointer is not None:  # started once nothing above can fail
            checkpointer = self.checkpointer
            self.every(s.sqlite_checkpoint_s,
                       lambda: asyncio.to_thread(checkpointer.run), "checkpoint")
        if self.security is not None:
            self._tasks += self.security.start(self.every)
        if self.outbox_model is not None:
            self.relay = bus.OutboxRelay(self.service, self.outbox_model, self.sessionmaker,
                                         self.bus, outbox=self.outbox)
            self.relay.start()
        self._unrefresh = self.metrics.refresh_with(self._consumer_lag)
        return self

    async def _consumer_lag(self) -> None:
        """Each consumer's lag, read from NATS when the metrics are scraped."""
        await asyncio.gather(*(consumer.read_lag() for consumer in self.consumers))

    async def _verifier(self) -> TokenVerifier:
        s = self.settings
        keys: FileKeys | UrlKeys = FileKeys(s.jwks_path, s.jwks_recheck_s)
        url = s.jwks_url
        if not url and s.token_discovery:
            url = await discover_jwks_url(s.token_issuer)
        if url:
            keys = UrlKeys(url)
            await keys.refresh()  # an identity provider that does not answer: no start
            self.every(s.jwks_refresh_s, keys.refresh, "jwks")
        return TokenVerifier(keys, s.token_issuer, s.token_audience,
                             Lifetimes(s.max_token_lifetime_s, s.role_token_lifetime_s),
                             algorithms=s.token_algorithms, claims=s.token_claims,
                             kid_optional=s.token_kid_optional, mfa=s.token_mfa)

    def on_reconnect(self, job: Callable[[], Awaitable[None]]) -> None:
        """Run `job` after every reconnection to NATS (what was missed while cut off)."""
        self._after_reconnect.append(job)

    async def _reconnected(self) -> None:
        """Revocations published while this service was cut off are read again, and what
        the slice asked to run then."""
        for job in [self.revocations.load, *self._after_reconnect]:
            try:
                await job()
            except Exception as exc:  # the next reconnection tries again
                log.warning("%s: not re-read after reconnecting: %s", self.service,
                            type(exc).__name__)

    def consume(self, channel: Channel, handler: bus.Handler, *,
                group: bus.GroupHandler | None = None, batch: int | None = None,
                lookahead: bus.Lookahead | None = None, linger_s: float = 0.0
                ) -> bus.Consumer:
        consumer = bus.Consumer(
            service=self.service, channel=channel, handler=handler, bus=self.bus,
            sessionmaker=self.sessionmaker, inbox_model=self.inbox_model, relay=self.relay,
            batch=batch or self.settings.consumer_batch, group=group, lookahead=lookahead,
            linger_s=linger_s, metrics=self.metrics,
        )
        consumer.start()
        self.consumers.append(consumer)
        return consumer

    def every(self, seconds: float, job: Callable[[], Awaitable[None]], name: str
              ) -> asyncio.Task:
        """Run a periodic job (sweeps, signing) until shutdown, or until its task is
        cancelled."""

        async def loop():
            while True:
                await asyncio.sleep(seconds)
                try:
                    await job()
                    self.last_run[name] = datetime.now(UTC)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("%s job %s failed: %s", self.service, name, type(exc).__name__)

        task = asyncio.create_task(loop(), name=f"{self.service}-{name}")
        self._tasks.append(task)
        return task

    def until_done(self, job: Callable[[], Awaitable[None]], name: str, *,
                   failed: Callable[[Exception, float], None] | None = None,
                   first_wait_s: float = 0.5, longest_wait_s: float = 30.0) -> None:
        """Retry a start-up step that needs another service and has just failed, until it
        succeeds once: first after ``first_wait_s``, then twice as long after each failure,
        at most ``longest_wait_s``. Every failure is logged, by ``failed(exc, wait)`` when
        the step says what went wrong better than the exception's type."""

        async def loop():
            wait = first_wait_s
            while True:
                await asyncio.sleep(wait)
                wait = min(2 * wait, longest_wait_s)
                try:
                    await job()
                    self.last_run[name] = datetime.now(UTC)
                    return
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    if failed is not None:
                        failed(exc, wait)
                    else:
                        log.warning("%s job %s failed: %s; again in %.1f s", self.service,
                                    name, type(exc).__name__, wait)

        self._tasks.append(asyncio.create_task(loop(), name=f"{self.service}-{name}"))

    async def request(self, channel: Channel, message: BaseModel, timeout: float = 2.0):
        return await self.bus.request(channel, message, timeout)

    async def answer(self, channel: Channel, callback: Callable[[object], Awaitable[None]]):
        """Answer the channel's requests, shared with this slice's other replicas (its
        queue group), each under the trace its request carries."""
        return await self.nc.subscribe(channel.subject, queue=self.service,
                                       cb=tracing.answering(channel.name, callback))

    async def __aexit__(self, *exc) -> None:
        if self._unrefresh is not None:
            self._unrefresh()
        if self.security is not None:  # the last events and their head, while NATS is up
            await self._bounded(self.security.close(), "the security log")
        await asyncio.gather(*(cancel_and_wait(task) for task in self._tasks),
                             return_exceptions=True)
        # each step bounded: a service asked to stop must stop, whatever the bus is doing
        for consumer in self.consumers:
            await self._bounded(consumer.stop(), "a consumer")
        if self.relay:
            await self._bounded(self.relay.stop(), "the outbox relay")
        await self._bounded(self.revocations.stop(), "revocations")
        if not await self._bounded(self.nc.drain(), "draining NATS"):
            await self._bounded(self.nc.close(), "closing NATS")
        await self.engine.dispose()
        if self.checkpointer is not None:
            try:
                await asyncio.to_thread(self.checkpointer.close)
            except Exception as exc:  # the WAL stays; SQLite checkpoints it on next open
                log.warning("%s: last checkpoint failed: %s", self.service,
                            type(exc).__name__)


    async def _bounded(self, step, what: str, seconds: float = SHUTDOWN_STEP_S) -> bool:
        """Run a shutdown step for at most `seconds`; False when it failed or ran out."""
        try:
            await asyncio.wait_for(step, seconds)
        except Exception as exc:
            log.warning("%s: %s on the way out: %s", self.service, what, type(exc).__name__)
            return False
        return True


def tune_interpreter(settings: ServiceSettings) -> None:
    """The GIL switch interval and the cyclic collector's young-generation threshold
    (the older generations keep Python's ratios to it)."""
    sys.setswitchinterval(settings.switch_interval_ms / 1000)
    if settings.gc_young_objects:
        _, middle, old = gc.get_threshold()
        gc.set_threshold(settings.gc_young_objects, middle, old)
