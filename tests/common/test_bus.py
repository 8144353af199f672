"""The consumer and outbox against a real JetStream: ack after commit, redelivery, once-only."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

import pytest
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common import bus, messages, subjects
from services.common.db import InboxMixin, build_engine, build_sessionmaker
from tests.support import close, eventually


class Base(DeclarativeBase):
    pass


class Inbox(InboxMixin, Base):
    pass


class Outbox(bus.OutboxMixin, Base):
    # without the mixin's AUTOINCREMENT: SQLite reuses a deleted row's id, and the
    # message ids must stay unique all the same
    __table_args__ = {}


class Applied(Base):
    __tablename__ = "applied"
    batch_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    times: Mapped[int] = mapped_column(Integer, default=0)


@pytest.fixture
async def db(tmp_path):
    engine = build_engine(f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield build_sessionmaker(engine)
    await engine.dispose()


async def record(session, message, delivery):
    row = await session.get(Applied, message.batch_id)
    if row is None:
        session.add(Applied(batch_id=message.batch_id, times=1))
    else:
        row.times += 1


async def times_applied(sessionmaker, batch_id):
    async with sessionmaker() as s:
        row = await s.get(Applied, batch_id)
        return row.times if row else 0


async def publish_progress(nats_env, batch_id, msg_id=None):
    linker = await nats_env.bus("linker")
    try:
        msg = messages.BatchProgress(batch_id=batch_id, chunk=0, service="linker", processed=3)
        return await linker.publish(subjects.PROGRESS, msg, msg_id=msg_id or batch_id)
    finally:
        await linker.nc.close()


async def pending(js):
    info = await js.consumer_info(subjects.PROGRESS.stream, "gateway")
    return info.num_pending + info.num_ack_pending


async def test_failed_handler_is_retried_and_applied_once(nats_env, db):
    b = await nats_env.bus("gateway")
    nc, js = b.nc, b.js
    failures = {"left": 2}

    async def flaky(session, message, delivery):
        await record(session, message, delivery)
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("database hiccup")  # rolls back the write above

    consumer = bus.Consumer(service="gateway", channel=subjects.PROGRESS, handler=flaky,
                            bus=b, sessionmaker=db, inbox_model=Inbox, relay=None)
    consumer.start()
    try:
        batch = f"b-{uuid.uuid4().hex}"
        await publish_progress(nats_env, batch)
        await eventually(lambda: times_applied(db, batch), timeout=20)
        await eventually(lambda: _zero(pending(js)))
        assert await times_applied(db, batch) == 1
        assert failures["left"] == 0
    finally:
        await consumer.stop()
        await nc.close()


def grouped(b, db, group, **kwargs) -> bus.Consumer:
    """A started consumer on the progress channel applying messages in groups."""
    consumer = bus.Consumer(service="gateway", channel=subjects.PROGRESS,
                            handler=lambda s, m, d: group(s, [(m, d)]), bus=b,
                            sessionmaker=db, inbox_model=Inbox, relay=None, group=group,
                            **kwargs)
    consumer.start()
    return consumer


async def _zero(awaitable):
    return (await awaitable) == 0


class LosesFirstAck(bus.Consumer):
    """Commits, then 'dies' before acking the first delivery (the ack never reaches NATS)."""

    lost = 0

    async def _acknowledge(self, msg):
        if msg.metadata.num_delivered == 1:
            self.lost += 1
            await msg.nak()  # what the server does after ack_wait when a consumer dies
            return
        await msg.ack()


async def test_redelivered_after_commit_is_not_applied_twice(nats_env, db):
    b = await nats_env.bus("gateway")
    nc, js = b.nc, b.js
    consumer = LosesFirstAck(service="gateway", channel=subjects.PROGRESS, handler=record,
                             bus=b, sessionmaker=db, inbox_model=Inbox, relay=None)
    consumer.start()
    try:
        batch = f"b-{uuid.uuid4().hex}"
        await publish_progress(nats_env, batch)
        await eventually(lambda: _zero(pending(js)), timeout=20)
        assert consumer.lost == 1
        assert await times_applied(db, batch) == 1
        async with db() as s:
            assert (await s.execute(select(Inbox).where(Inbox.message_id == batch))).scalar()
    finally:
        await consumer.stop()
        await nc.close()


async def test_duplicate_msg_id_is_stored_once(nats_env):
    batch = f"b-{uuid.uuid4().hex}"
    first = await publish_progress(nats_env, batch)
    second = await publish_progress(nats_env, batch)
    assert second.duplicate and second.seq == first.seq


async def test_unparseable_message_is_terminated_and_does_not_block(nats_env, db, caplog):
    b = await nats_env.bus("gateway")
    nc, js = b.nc, b.js
    consumer = bus.Consumer(service="gateway", channel=subjects.PROGRESS, handler=record,
                            bus=b, sessionmaker=db, inbox_model=Inbox, relay=None)
    pub = await nats_env.bus("linker")
    try:
        junk = b'{"not": "a progress"}'  # from a sender of the channel, but unparseable
        await pub.js.publish(subjects.PROGRESS.subject, junk,
                             headers=pub.headers_for(subjects.PROGRESS.subject, junk,
                                                 uuid.uuid4().hex))
        sentinel = f"b-{uuid.uuid4().hex}"
        await publish_progress(nats_env, sentinel)
        consumer.start()
        await eventually(lambda: times_applied(db, sentinel), timeout=20)
        await eventually(lambda: _zero(pending(js)), timeout=20)
        await asyncio.sleep(0.3)
        assert await pending(js) == 0  # terminated, not redelivered
        assert "unparseable message" in caplog.text
        assert "not" not in caplog.text.split("unparseable message", 1)[1].split("\n")[0]
    finally:
        await consumer.stop()
        await pub.nc.close()
        await nc.close()


async def test_outbox_relay_publishes_committed_rows_with_row_id(nats_env, db):
    b = await nats_env.bus("linker")
    nc = b.nc
    relay = bus.OutboxRelay("linker", Outbox, db, b)
    outbox = bus.Outbox(Outbox)
    batch = f"b-{uuid.uuid4().hex}"
    async with db() as s, s.begin():
        outbox.add(s, subjects.PROGRESS,
                   messages.BatchProgress(batch_id=batch, chunk=0, service="linker",
                                          processed=1))
    with pytest.raises(TypeError):
        outbox.add(None, subjects.PROGRESS, messages.OptoutResolved(record_token="r", person="p"))
    assert await relay.flush() == 1
    assert await relay.flush() == 0
    gw = await nats_env.connect("gateway")
    try:
        psub = await gw.jetstream().pull_subscribe_bind(durable="gateway",
                                                        stream=subjects.PROGRESS.stream)
        seen = []
        for _ in range(20):
            try:
                msgs = await psub.fetch(10, timeout=0.5)
            except TimeoutError:
                break
            for m in msgs:
                body = messages.BatchProgress.model_validate_json(m.data)
                if body.batch_id == batch:
                    seen.append(m.headers["Nats-Msg-Id"])
                await m.ack()
        assert len(seen) == 1 and seen[0].startswith("linker-outbox-")

    finally:
        await gw.close()
        await nc.close()


async def test_outbox_ids_reused_by_sqlite_still_publish(nats_env, db):
    """SQLite hands a deleted row's id to the next row; its message must not be dropped."""
    b = await nats_env.bus("linker")
    nc = b.nc
    relay = bus.OutboxRelay("linker", Outbox, db, b)
    outbox = bus.Outbox(Outbox)
    ids = []
    try:
        for n in range(2):
            async with db() as s, s.begin():
                outbox.add(s, subjects.PROGRESS, messages.BatchProgress(
                    batch_id=f"reuse-{n}-{uuid.uuid4().hex}", chunk=0, service="linker",
                    processed=1))
            async with db() as s:
                row = (await s.execute(select(Outbox))).scalar_one()
                ids.append((row.id, bus.outbox_msg_id("linker", row)))
            assert await relay.flush() == 1
        assert ids[0][0] == ids[1][0]  # the id was reused ...
        assert ids[0][1] != ids[1][1]  # ... but the message id was not
    finally:
        await nc.close()


async def test_group_applies_queued_messages_in_one_transaction(nats_env, db):
    """Messages waiting together go to the group handler in one call; a poison member
    makes the group fall back to one-by-one, where only that member fails."""
    batches = [f"g-{uuid.uuid4().hex}" for _ in range(5)]
    for b in batches:
        await publish_progress(nats_env, b)
    await publish_progress(nats_env, batches[0], msg_id=f"{batches[0]}-again")  # a re-send
    calls: list[int] = []

    async def group(session, items):
        calls.append(len(items))
        for message, delivery in items:
            await record(session, message, delivery)

    async def single(session, message, delivery):
        await group(session, [(message, delivery)])

    b = await nats_env.bus("gateway")
    nc, js = b.nc, b.js
    consumer = bus.Consumer(service="gateway", channel=subjects.PROGRESS, handler=single,
                            bus=b, sessionmaker=db, inbox_model=Inbox, relay=None,
                            group=group)
    consumer.start()
    try:
        await eventually(lambda: _zero(pending(js)))
        assert calls and max(calls) > 1  # at least one real group
        assert [await times_applied(db, b) for b in batches] == [2, 1, 1, 1, 1]

        poison = f"g-{uuid.uuid4().hex}"
        fine = f"g-{uuid.uuid4().hex}"
        calls.clear()

        async def group_failing(session, items):
            if any(m.batch_id == poison for m, _ in items):
                raise RuntimeError("poison")
            await group(session, items)

        consumer.group = group_failing
        consumer.handler = lambda s, m, d: group_failing(s, [(m, d)])
        await publish_progress(nats_env, poison)
        await publish_progress(nats_env, fine)
        await eventually(lambda: times_applied(db, fine))
        assert await times_applied(db, poison) == 0
    finally:
        await consumer.stop()
        await nc.close()


async def test_lookahead_is_told_of_the_next_messages_while_these_apply(nats_env, db):
    """With a lookahead the consumer fetches the next messages while applying the current
    ones and announces them first; each is still applied once and acknowledged, and a
    lookahead that fails changes nothing."""
    batches = [f"la-{uuid.uuid4().hex}" for _ in range(12)]
    announced: list[str] = []
    order: list[str] = []
    early: list[bool] = []  # was each announced message still to be applied

    async def group(session, items):
        await asyncio.sleep(0.05)  # the next fetch happens meanwhile
        for message, delivery in items:
            order.append(message.batch_id)
            await record(session, message, delivery)

    def lookahead(payloads):
        early.extend(p.batch_id not in order for p in payloads)
        announced.extend(p.batch_id for p in payloads)
        if len(announced) > 6:
            raise RuntimeError("lookahead broke")

    b = await nats_env.bus("gateway")
    nc, js = b.nc, b.js
    consumer = grouped(b, db, group, batch=3, lookahead=lookahead)
    try:
        for b in batches:
            await publish_progress(nats_env, b)
        await eventually(lambda: _zero(pending(js)))
        assert [await times_applied(db, b) for b in batches] == [1] * len(batches)
        assert announced, "no messages were fetched ahead"
        assert all(early) and set(announced) <= set(order)
        assert len(set(announced)) == len(announced)
    finally:
        await consumer.stop()
        await nc.close()


async def test_a_short_fetch_lingers_for_a_fuller_group(nats_env, db):
    """A fetch that finds one message of a burst waits once (linger) and takes the rest
    of the burst into the same group, instead of applying the first message alone."""
    calls: list[int] = []

    async def group(session, items):
        calls.append(len(items))
        for message, delivery in items:
            await record(session, message, delivery)

    b = await nats_env.bus("gateway")
    nc, js = b.nc, b.js
    consumer = grouped(b, db, group, batch=6, linger_s=1.5)
    try:
        batches = [f"linger-{uuid.uuid4().hex}" for _ in range(6)]
        await publish_progress(nats_env, batches[0])
        await asyncio.sleep(0.3)  # the consumer has the first and is lingering
        for b in batches[1:]:
            await publish_progress(nats_env, b)
        await eventually(lambda: _zero(pending(js)))
        assert [await times_applied(db, b) for b in batches] == [1] * 6
        assert calls == [6]
    finally:
        await consumer.stop()
        await nc.close()


async def test_the_group_fetched_ahead_fills_up_while_the_current_one_applies(nats_env, db):
    """Messages arriving while a group is applied join the group fetched ahead (up to the
    batch), not only those there when the fetch ahead began."""
    calls: list[int] = []
    announced: list[int] = []

    async def group(session, items):
        calls.append(len(items))
        if len(calls) == 1:
            await asyncio.sleep(1.0)  # a long linkage call; the burst arrives meanwhile
        for message, delivery in items:
            await record(session, message, delivery)

    b = await nats_env.bus("gateway")
    nc, js = b.nc, b.js
    consumer = grouped(b, db, group, batch=4,
                       lookahead=lambda payloads: announced.append(len(payloads)))
    try:
        batches = [f"topup-{uuid.uuid4().hex}" for _ in range(5)]
        await publish_progress(nats_env, batches[0])
        await eventually(lambda: calls)  # the first is being applied
        for b in batches[1:]:
            await asyncio.sleep(0.15)
            await publish_progress(nats_env, b)
        await eventually(lambda: _zero(pending(js)))
        assert [await times_applied(db, b) for b in batches] == [1] * 5
        assert calls[:2] == [1, 4] and announced[0] == 4
    finally:
        await consumer.stop()
        await nc.close()


async def test_the_group_fetched_ahead_is_announced_once_the_burst_is_over(nats_env, db):
    """The last messages of a burst, fewer than a group, are announced to the lookahead
    once nothing more arrives for TOP_UP_PATIENCE_S, while the current group is still
    being applied, not only when it ends (their scoring would wait for nothing)."""
    calls: list[int] = []
    announced: list[tuple[int, int]] = []  # (messages, groups begun by then)
    release = asyncio.Event()

    async def group(session, items):
        calls.append(len(items))
        if len(calls) == 1:
            await asyncio.wait_for(release.wait(), 10)  # a long linkage call
        for message, delivery in items:
            await record(session, message, delivery)

    b = await nats_env.bus("gateway")
    nc, js = b.nc, b.js
    consumer = grouped(b, db, group, batch=4,
                       lookahead=lambda payloads: announced.append((len(payloads), len(calls))))
    try:
        batches = [f"tail-{uuid.uuid4().hex}" for _ in range(3)]
        await publish_progress(nats_env, batches[0])
        await eventually(lambda: calls)  # the first is being applied
        for b in batches[1:]:
            await publish_progress(nats_env, b)
        # announced while the first group is still applied: the burst is over
        await eventually(lambda: announced, timeout=3 * bus.TOP_UP_PATIENCE_S + 2)
        assert announced == [(2, 1)] and not release.is_set()
        release.set()
        await eventually(lambda: _zero(pending(js)))
        assert [await times_applied(db, b) for b in batches] == [1] * 3
        assert calls == [1, 2]
    finally:
        release.set()
        await consumer.stop()
        await nc.close()


async def test_a_message_applied_for_longer_than_its_ack_wait_is_not_redelivered(nats_env,
                                                                                   db):
    """The consumer tells JetStream it is still at work on what it fetched, so a second
    consumer on the same durable (another replica) is not handed it meanwhile."""
    provisioner = await nats_env.connect(subjects.PROVISIONER)
    pjs = provisioner.jetstream()
    stream, durable = subjects.PROGRESS.stream, "gateway"
    config = (await pjs.consumer_info(stream, durable)).config
    await pjs.add_consumer(stream, dataclasses.replace(config, ack_wait=1.5))
    channel = dataclasses.replace(subjects.PROGRESS, ack_wait_s=1.5)
    deliveries = []

    async def slow(session, message, delivery):
        deliveries.append(delivery.num_delivered)
        await asyncio.sleep(5)  # over three times the ack wait
        await record(session, message, delivery)

    first, second = await nats_env.bus("gateway"), await nats_env.bus("gateway")
    consumers = [bus.Consumer(service="gateway", channel=channel, handler=slow, bus=peer,
                              sessionmaker=db, inbox_model=Inbox, relay=None)
                 for peer in (first, second)]
    try:
        consumers[0].start()
        batch = f"b-{uuid.uuid4().hex}"
        await publish_progress(nats_env, batch)
        await eventually(lambda: deliveries, timeout=10)
        consumers[1].start()
        await eventually(lambda: times_applied(db, batch), timeout=20)
        await eventually(lambda: _zero(pending(first.js)))
        assert deliveries == [1]
    finally:
        for consumer in consumers:
            await consumer.stop()
        await pjs.add_consumer(stream, config)
        await close(first, second, provisioner)
