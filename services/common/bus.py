"""NATS plumbing: connection, JetStream consumers with ack-after-commit, transactional outbox.

A consumer applies each message in one database transaction that also records
the message in the service's inbox table (so a redelivered message is applied
once) and any messages to publish in its outbox table. Only after the commit is
the message acknowledged. The outbox relay publishes committed rows to
JetStream with the outbox row id as ``Nats-Msg-Id``, so a relay that crashes
between publish and delete cannot publish a duplicate the stream would keep.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import ssl
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import nats
from nats.aio.client import Client as NATS
from opentelemetry.trace import SpanKind
from pydantic import BaseModel, ValidationError
from sqlalchemy import BigInteger, Integer, LargeBinary, String, delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from services.common import tracing
from services.common.db import UTCDateTime, utcnow
from services.common.metrics import Metrics
from services.common.subjects import (
    MAX_PAYLOAD,
    Channel,
    channel_of,
    deadletter_subject,
    durable_name,
    inbox_prefix,
)
from services.common.tasks import cancel_and_wait
from services.common.trust import HEADER, Keyring, Untrusted

log = logging.getLogger("tessera.bus")


def tls_context(ca_file) -> ssl.SSLContext | None:
    """Verify the NATS server against this CA (hostname checked as usual)."""
    if not ca_file:
        return None
    return ssl.create_default_context(cafile=str(ca_file))


async def connect(
    *, url: str, service: str, user: str, password: str, name: str | None = None,
    error_cb: Callable[[Exception], Awaitable[None]] | None = None,
    reconnected_cb: Callable[[], Awaitable[None]] | None = None,
    tls_ca_file=None, nkey_file=None,
) -> NATS:
    """Connect as ``service``: by NKey when ``nkey_file`` (the seed) is given, as a
    cluster's servers expect, else by user and password. ``url`` may list a cluster's
    servers, comma-separated; the client learns the others from whichever answers."""

    async def _default_error_cb(exc: Exception) -> None:
        log.warning("nats error: %s", exc)

    by_nkey = nkey_file is not None
    return await nats.connect(
        servers=[u.strip() for u in url.split(",") if u.strip()],
        user=None if by_nkey else user or None,
        password=None if by_nkey else password or None,
        nkeys_seed=str(nkey_file) if by_nkey else None,
        name=name or f"tessera-{service}",
        inbox_prefix=inbox_prefix(service),
        error_cb=error_cb or _default_error_cb,
        reconnected_cb=reconnected_cb,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        connect_timeout=5,
        tls=tls_context(tls_ca_file),
        drain_timeout=5,
    )


def encode(message: BaseModel) -> bytes:
    return message.model_dump_json().encode()


MSG_ID = "Nats-Msg-Id"


class Bus:
    """Messages on the declared channels, authenticated by this service and checked on
    receipt.

    Every publish, request and reply carries a tag for each service it is meant for
    (``services.common.trust``); every message taken is checked against the services its
    channel declares as senders before it is parsed.
    """

    def __init__(self, nc: NATS, service: str, keyring: Keyring):
        self.nc = nc
        self.js = nc.jetstream()
        self.service = service
        self.keyring = keyring

    def headers(self, recipients: tuple[str, ...], subject: str, payload: bytes,
                msg_id: str | None = None) -> dict:
        """The authentication tag and message id, and the current trace context and
        request id, so that whoever applies the message continues the trace."""
        headers = {HEADER: self.keyring.stamp(recipients, subject, msg_id, payload)}
        if msg_id is not None:
            headers[MSG_ID] = msg_id
        return dict(tracing.outgoing(headers))

    def headers_for(self, subject: str, payload: bytes, msg_id: str | None = None) -> dict:
        """Headers for a message to a concrete subject (its channel's consumers)."""
        return self.headers(channel_of(subject).consumers, subject, payload, msg_id)

    def _outgoing(self, channel: Channel, message: BaseModel, subject: str | None,
                  payload: bytes | None = None) -> tuple[str, bytes]:
        if not isinstance(message, channel.schema):
            raise TypeError(f"{channel.name} carries {channel.schema.__name__}")
        if self.service not in channel.publishers:
            raise PermissionError(f"{self.service} does not publish on {channel.name}")
        return subject or channel.subject, payload or encode(message)

    async def publish(self, channel: Channel, message: BaseModel, *, msg_id: str,
                      subject: str | None = None, timeout: float | None = None,
                      payload: bytes | None = None):
        """Publish to the channel's stream and wait for its acknowledgement (`payload`:
        the message already encoded, when the caller needed the bytes too)."""
        subject, payload = self._outgoing(channel, message, subject, payload)
        kwargs = {"timeout": timeout} if timeout is not None else {}
        headers = self.headers(channel.consumers, subject, payload, msg_id)
        return await self.js.publish(subject, payload, headers=headers, **kwargs)

    async def notify(self, channel: Channel, message: BaseModel) -> None:
        """Publish on a notice channel: core NATS, to every process subscribed now."""
        if channel.kind != "notice":
            raise TypeError(f"{channel.name} is not a notice channel")
        subject, payload = self._outgoing(channel, message, None)
        await self.nc.publish(subject, payload,
                              headers=self.headers(channel.consumers, subject, payload))

    async def publish_async(self, channel: Channel, message: BaseModel, *, msg_id: str,
                            subject: str | None = None, wait_stall: float | None = None):
        """Publish without waiting; returns the future of the stream's acknowledgement."""
        subject, payload = self._outgoing(channel, message, subject)
        headers = self.headers(channel.consumers, subject, payload, msg_id)
        return await self.js.publish_async(subject, payload, wait_stall=wait_stall,
                                           headers=headers)

    def check(self, senders: tuple[str, ...], subject: str, data: bytes,
              headers: dict | None) -> str:
        """The sending service, or Untrusted."""
        headers = headers or {}
        return self.keyring.check(senders, subject, headers.get(MSG_ID), data,
                                  headers.get(HEADER))

    def receive(self, channel: Channel, subject: str, data: bytes,
                headers: dict | None) -> BaseModel:
        """A message from one of the channel's publishers, parsed (Untrusted, or
        pydantic's ValidationError)."""
        return self.receive_from(channel, subject, data, headers)[1]

    def receive_from(self, channel: Channel, subject: str, data: bytes,
                     headers: dict | None) -> tuple[str, BaseModel]:
        """The sending service, and its message parsed."""
        sender = self.check(channel.publishers, subject, data, headers)
        return sender, channel.schema.model_validate_json(data)

    async def request(self, channel: Channel, message: BaseModel, timeout: float = 2.0):
        """Ask the channel's responder; the reply must come from one of its consumers."""
        if channel.kind != "request":
            raise TypeError(f"{channel.name} is not a request channel")
        subject, payload = self._outgoing(channel, message, None)
        reply = await self.nc.request(subject, payload, timeout=timeout,
                                      headers=self.headers(channel.consumers, subject,
                                                           payload))
        self.check(channel.consumers, reply.subject, reply.data, reply.headers)
        return channel.reply_schema.model_validate_json(reply.data)

    async def respond(self, msg, reply: BaseModel) -> None:
        """Answer a request (for the services that may ask on its channel, bound to the
        requester's reply subject)."""
        payload = encode(reply)
        askers = channel_of(msg.subject).publishers
        await self.nc.publish(msg.reply, payload,
                              headers=self.headers(askers, msg.reply, payload))


class OutboxMixin:
    __tablename__ = "outbox"
    # The row id is the Nats-Msg-Id: SQLite must never reuse it after the relay deletes
    # rows, or JetStream would drop a new message as a duplicate of an old one.
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    subject: Mapped[str] = mapped_column(String(200))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def outbox_msg_id(service: str, row: OutboxMixin) -> str:
    """Stable for a row (a re-publish after a crash is de-duplicated) and unique across
    rows even where the database reuses ids of deleted rows (SQLite without AUTOINCREMENT)."""
    return f"{service}-outbox-{row.id}-{int(row.created_at.timestamp() * 1_000_000)}"


class MessageTooLarge(ValueError):
    """A message over NATS's payload limit: an outbox row the relay could never publish
    would hold back every row after it."""


# how many outbox rows' trace context a process keeps until its relay publishes them
TRACED_ROWS = 10_000


def _row_key(subject: str, payload: bytes) -> tuple[str, bytes]:
    return subject, hashlib.blake2b(payload, digest_size=16).digest()


class Outbox:
    """Adds messages to the outbox table inside the caller's transaction."""

    def __init__(self, model: type[OutboxMixin]):
        self.model = model
        # The trace context of each row added here, until this process's relay publishes
        # it: tracing only, so it is kept in memory, not in the table (a row relayed by
        # another process or after a restart goes out without it, and starts a new trace).
        self.traces: OrderedDict[tuple[str, bytes], dict[str, str]] = OrderedDict()

    def add(self, session: AsyncSession, channel: Channel, message: BaseModel,
            subject: str | None = None) -> None:
        if not isinstance(message, channel.schema):
            raise TypeError(f"{channel.name} carries {channel.schema.__name__}")
        payload = encode(message)
        if len(payload) > MAX_PAYLOAD:  # the relay could never publish it: refuse it here
            raise MessageTooLarge(f"{channel.name}: {len(payload)} bytes, at most "
                                  f"{MAX_PAYLOAD}")
        subject = subject or channel.subject
        session.add(self.model(subject=subject, payload=payload))
        carried = dict(tracing.outgoing({}))
        if carried:
            self.traces[_row_key(subject, payload)] = carried
            if len(self.traces) > TRACED_ROWS:
                self.traces.popitem(last=False)


class OutboxRelay:
    """Publishes committed outbox rows to JetStream in id order, then deletes them."""

    def __init__(self, service: str, model: type[OutboxMixin],
                 sessionmaker: async_sessionmaker[AsyncSession], bus: Bus,
                 batch: int = 200, outbox: Outbox | None = None):
        self.service = service
        self.traces = outbox.traces if outbox is not None else OrderedDict()
        self.model = model
        self.sessionmaker = sessionmaker
        self.bus = bus
        self.batch = batch
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"{self.service}-outbox")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def flush(self) -> int:
        """Publish everything committed so far; returns how many were published."""
        total = 0
        while True:
            async with self.sessionmaker() as session:
                rows = (await session.execute(
                    select(self.model).order_by(self.model.id).limit(self.batch)
                )).scalars().all()
                if not rows:
                    return total
                futures = [
                    await self.bus.js.publish_async(
                        row.subject, row.payload,
                        headers={**self.traces.pop(_row_key(row.subject, row.payload), {}),
                                 **self.bus.headers_for(row.subject, row.payload,
                                                        outbox_msg_id(self.service, row))},
                    )
                    for row in rows
                ]
                await asyncio.gather(*futures)
                await session.execute(
                    delete(self.model).where(self.model.id.in_([r.id for r in rows]))
                )
                await session.commit()
                total += len(rows)

    async def _run(self) -> None:
        while True:
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NATS down, database busy: try again shortly
                log.warning("outbox relay: %s", type(exc).__name__)
                await asyncio.sleep(1)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)
            self._wake.clear()


@dataclass
class Delivery:
    """What a handler knows about the message it is applying."""

    subject: str
    message_id: str
    num_delivered: int


Handler = Callable[[AsyncSession, BaseModel, Delivery], Awaitable[None]]
# Applies several messages in one transaction (for handlers with a high fixed cost per
# call, such as record linkage); a failing group is retried one message at a time.
GroupHandler = Callable[[AsyncSession, list[tuple[BaseModel, Delivery]]], Awaitable[None]]
# Told of the messages fetched to be applied next, while the current ones are applied, so
# it can start work that needs no transaction (scoring an arriving batch); it must not
# block, and what it starts must tolerate the messages being applied differently or never.
Lookahead = Callable[[list[BaseModel]], None]


async def apply_once(sessionmaker: async_sessionmaker[AsyncSession], inbox_model,
                     handler: Handler, payload: BaseModel, delivery: Delivery) -> bool:
    """Apply one message in one transaction with its inbox row, unless the inbox holds it
    already; whether it was applied. A consumer applies what it takes from a stream this
    way, and a slice applies what it asked for itself the same way
    (services.common.reconcile)."""
    async with sessionmaker() as session:
        async with session.begin():
            if await session.get(inbox_model, delivery.message_id) is not None:
                return False
            await handler(session, payload, delivery)
            session.add(inbox_model(message_id=delivery.message_id))
    return True


def _message_id(msg) -> str:
    meta = msg.metadata
    return (msg.headers or {}).get("Nats-Msg-Id") or f"{meta.stream}:{meta.sequence.stream}"


# how long each top-up fetch of a group fetched ahead waits for more messages
TOP_UP_WAIT_S = 0.1
# and how long the top-ups go on finding nothing before the group is announced as it is
# (the burst is over: the lookahead starts on it at once, not when the current group ends)
TOP_UP_PATIENCE_S = 0.3


class Consumer:
    """A durable pull consumer: apply in a transaction, record in the inbox, commit, ack."""

    def __init__(self, *, service: str, channel: Channel, handler: Handler,
                 bus: Bus, sessionmaker: async_sessionmaker[AsyncSession],
                 inbox_model, relay: OutboxRelay | None, batch: int = 64,
                 backoff_s: float = 0.25, group: GroupHandler | None = None,
                 lookahead: Lookahead | None = None, linger_s: float = 0.0,
                 metrics: Metrics | None = None):
        self.service = service
        # a fetch that finds fewer messages than a group waits this long once for more (a
        # burst is arriving), so a handler with a high fixed cost a call gets fuller groups
        self.linger_s = linger_s
        self.backoff_s = backoff_s
        self.dead_lettered = 0
        self.channel = channel
        self.handler = handler
        self.bus = bus
        self.js = bus.js
        self.sessionmaker = sessionmaker
        self.inbox_model = inbox_model
        self.relay = relay
        self.batch = batch
        self.group = group
        self.lookahead = lookahead
        self._task: asyncio.Task | None = None
        self._psub = None
        self.applied = 0
        self.durable = durable_name(channel, service)
        self.metrics = metrics or Metrics(service)
        labels = (channel.stream, self.durable)
        self._outcomes = {outcome: self.metrics.deliveries.labels(*labels, outcome)
                          for outcome in ("applied", "retried", "dead_lettered")}
        self._redelivered = self.metrics.redeliveries.labels(*labels)
        self._pending = self.metrics.pending.labels(*labels)
        self._ack_pending = self.metrics.ack_pending.labels(*labels)
        # fetched and not yet acknowledged (by id): told to JetStream as in progress
        # every third of the channel's acknowledgement time, so a long linkage call
        # keeps its messages while a dead process's come back after that time alone
        self._held: dict[int, object] = {}
        self._keeper: asyncio.Task | None = None

    async def read_lag(self) -> None:
        """What NATS holds for this consumer: not yet delivered, and not yet acked."""
        info = await self.js.consumer_info(self.channel.stream, self.durable)
        self._pending.set(info.num_pending or 0)
        self._ack_pending.set(info.num_ack_pending or 0)

    def _taken(self, msgs) -> None:
        redelivered = sum(1 for msg in msgs if msg.metadata.num_delivered > 1)
        if redelivered:
            self._redelivered.inc(redelivered)

    async def _subscribe(self):
        # The durable consumer is created by provisioning; a service only binds to it.
        stream = self.channel.stream
        await self.js.consumer_info(stream, self.durable)
        return await self.js.pull_subscribe_bind(durable=self.durable, stream=stream)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"{self.service}-{self.channel.name}")
        self._keeper = asyncio.create_task(self._keep_held(),
                                           name=f"{self.service}-{self.channel.name}-wpi")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        await cancel_and_wait(self._keeper)
        self._held.clear()
        if self._psub is not None:
            with contextlib.suppress(Exception):
                await self._psub.unsubscribe()
            self._psub = None

    async def _run(self) -> None:
        psub = None
        ahead: asyncio.Task | None = None  # the next fetch, under way while applying
        while True:
            try:
                if psub is None:
                    psub = self._psub = await self._subscribe()
                parsed: dict[int, BaseModel] = {}  # payloads the lookahead parsed, by id(msg)
                if ahead is not None:
                    (msgs, parsed), ahead = await ahead, None
                else:
                    msgs = await self._fetch(psub)
                if not msgs:
                    continue
                applied = asyncio.Event()  # the fetch ahead tops its group up until then
                if self.lookahead is not None:
                    ahead = asyncio.create_task(self._fetch_ahead(psub, applied))
                try:
                    if not (self.group is not None and len(msgs) > 1
                            and await self._apply_group(msgs, parsed)):
                        for msg in msgs:
                            await self._apply(msg, parsed.get(id(msg)))
                finally:
                    applied.set()
            except asyncio.CancelledError:
                if ahead is not None:
                    ahead.cancel()
                raise
            except Exception as exc:
                log.warning("%s consumer on %s: %s", self.service, self.channel.name,
                            type(exc).__name__)
                if ahead is not None:
                    ahead.cancel()
                    ahead = None
                self._held.clear()  # not applied: redelivered once their time runs out
                psub = None
                await asyncio.sleep(1)

    async def _keep_held(self) -> None:
        while True:
            await asyncio.sleep(self.channel.ack_wait_s / 3)
            for msg in list(self._held.values()):
                with contextlib.suppress(Exception):  # acknowledged meanwhile
                    await msg.in_progress()

    def _hold(self, msgs: list) -> list:
        self._held.update((id(msg), msg) for msg in msgs)
        return msgs

    async def _fetch(self, psub) -> list:
        try:
            msgs = self._hold(await psub.fetch(self.batch, timeout=1.0))
        except TimeoutError:
            return []
        if self.linger_s and len(msgs) < self.batch:
            await asyncio.sleep(self.linger_s)
            with contextlib.suppress(TimeoutError):
                msgs += self._hold(await psub.fetch(self.batch - len(msgs), timeout=0.05))
        return msgs

    async def _fetch_ahead(self, psub, applied: asyncio.Event
                           ) -> tuple[list, dict[int, BaseModel]]:
        """Fetch the next messages and tell the lookahead of those it can parse (the
        others are dealt with when applied); their payloads are kept for applying.
        A short fetch keeps taking what arrives until the group is full or the current
        messages are applied: they would wait anyway, and the second call of a burst
        then links a full group instead of what had arrived when the first began. When
        nothing has arrived for TOP_UP_PATIENCE_S the burst is over, and the lookahead is
        told of the group as it is (at the end of a 20,000-record push the last three
        messages' scoring began only when the call before them ended: 1.1 s waited)."""
        msgs = await self._fetch(psub)
        last = time.monotonic()
        while msgs and len(msgs) < self.batch and not applied.is_set():
            more = []
            with contextlib.suppress(TimeoutError):
                more = self._hold(await psub.fetch(self.batch - len(msgs),
                                                   timeout=TOP_UP_WAIT_S))
            if more:
                msgs += more
                last = time.monotonic()
            elif time.monotonic() - last >= TOP_UP_PATIENCE_S:
                break
        parsed = {}
        for msg in msgs:
            with contextlib.suppress(ValidationError, Untrusted):
                parsed[id(msg)] = self._decode(msg)
        if parsed:
            try:
                self.lookahead(list(parsed.values()))
            except Exception as exc:  # an optimisation only: applying does not need it
                log.warning("%s lookahead on %s failed: %s", self.service,
                            self.channel.name, type(exc).__name__)
        return msgs, parsed

    async def _apply_group(self, msgs, parsed: dict[int, BaseModel] | None = None) -> bool:
        """All of `msgs` in one transaction with their inbox rows, then ack them all.
        False (nothing applied) when any is unparseable or the group fails: the caller
        then applies them one by one, with the usual retries and dead-lettering."""
        with tracing.span(f"{self.channel.name} apply", msgs[0].headers, SpanKind.CONSUMER):
            return await self._apply_group_traced(msgs, parsed)

    async def _apply_group_traced(self, msgs, parsed: dict[int, BaseModel] | None) -> bool:
        """`_apply_group`, under the trace of the group's first message (one transaction
        applies them all)."""
        items: dict[str, tuple[BaseModel, Delivery]] = {}
        try:
            for msg in msgs:
                mid = _message_id(msg)
                payload = (parsed or {}).get(id(msg)) or self._decode(msg)
                items.setdefault(mid, (payload, Delivery(msg.subject, mid,
                                                         msg.metadata.num_delivered)))
        except (ValidationError, Untrusted):
            return False
        try:
            async with self.sessionmaker() as session:
                async with session.begin():
                    column = self.inbox_model.message_id
                    seen = set(await session.scalars(select(column).where(
                        column.in_(list(items)))))
                    todo = [item for mid, item in items.items() if mid not in seen]
                    if todo:
                        await self.group(session, todo)
                    session.add_all(self.inbox_model(message_id=mid)
                                    for mid in items if mid not in seen)
        except Exception as exc:
            log.warning("%s: group of %d on %s failed (%s); applying one by one",
                        self.service, len(msgs), self.channel.name, type(exc).__name__)
            return False
        for msg in msgs:
            await self._acknowledge(msg)
        self._taken(msgs)
        self._outcomes["applied"].inc(len(msgs))
        self.applied += len(todo)
        if self.relay:
            self.relay.wake()
        return True

    async def _apply(self, msg, payload: BaseModel | None = None) -> None:
        with tracing.span(f"{self.channel.name} apply", msg.headers, SpanKind.CONSUMER):
            self._taken([msg])
            await self._apply_traced(msg, payload)

    async def _apply_traced(self, msg, payload: BaseModel | None) -> None:
        meta = msg.metadata
        message_id = _message_id(msg)
        try:
            payload = payload or self._decode(msg)
        except Untrusted as exc:
            # Not from a service that may send it: never applied, parked for operators.
            log.error("%s: message on %s refused (%s); dead-lettered", self.service,
                      msg.subject, exc)
            await self._dead_letter(msg, message_id, "untrusted")
            return
        except ValidationError as exc:
            # A message that cannot be parsed will never succeed: park it, do not retry.
            log.error("%s: unparseable message on %s (%d errors); dead-lettered",
                      self.service, msg.subject, exc.error_count())
            await self._dead_letter(msg, message_id, "unparseable")
            return
        delivery = Delivery(msg.subject, message_id, meta.num_delivered)
        try:
            await apply_once(self.sessionmaker, self.inbox_model, self.handler, payload,
                             delivery)
        except Exception as exc:
            if meta.num_delivered >= self.channel.max_deliver:
                log.error("%s: handler for %s failed (%s) %d times; dead-lettered",
                          self.service, self.channel.name, type(exc).__name__,
                          meta.num_delivered)
                await self._dead_letter(msg, message_id, type(exc).__name__)
                return
            log.warning("%s: handler for %s failed (%s), delivery %d; will retry",
                        self.service, self.channel.name, type(exc).__name__, meta.num_delivered)
            self._held.pop(id(msg), None)
            await msg.nak(delay=min(self.backoff_s * 2 ** meta.num_delivered, 30))
            self._outcomes["retried"].inc()
            return
        await self._acknowledge(msg)
        self._outcomes["applied"].inc()
        self.applied += 1
        if self.relay:
            self.relay.wake()

    def _decode(self, msg) -> BaseModel:
        """The payload, once its sender is checked (Untrusted, or ValidationError)."""
        return self.bus.receive(self.channel, msg.subject, msg.data, msg.headers)

    async def _acknowledge(self, msg) -> None:
        self._held.pop(id(msg), None)
        await msg.ack()

    async def _dead_letter(self, msg, message_id: str, reason: str) -> None:
        """Copy the message to this service's dead-letter stream, then stop its redelivery,
        so one poison message never blocks the rest."""
        meta = msg.metadata
        headers = {
            "Nats-Msg-Id": f"dead-{message_id}",
            "Tessera-Subject": msg.subject,
            "Tessera-Stream-Seq": str(meta.sequence.stream),
            "Tessera-Deliveries": str(meta.num_delivered),
            "Tessera-Reason": reason[:100],
        }
        await self.js.publish(deadletter_subject(self.service), msg.data, headers=headers)
        self._held.pop(id(msg), None)
        await msg.term()
        self.dead_lettered += 1
        self._outcomes["dead_lettered"].inc()
        self.metrics.dead_letters.labels(self.channel.stream, self.durable, reason[:100]).inc()


def decode(channel: Channel, data: bytes) -> BaseModel:
    return channel.schema.model_validate_json(data)


def loads(data: bytes) -> dict:
    return json.loads(data)
