"""One linkage writer among pseudonymiser replicas: real processes on one SQLite file
and a real nats-server. The writer is killed -9 or frozen during ingest of a synthetic
borough; the standby takes over, and every record is stored and assigned once, in as
many persons as there truly are. A deposed writer's late write is refused by its epoch."""

from __future__ import annotations

import asyncio
import signal
import time

import httpx
import pytest
from sqlalchemy import delete, func, select, update

from services.common import messages as m
from services.common.db import Fenced, build_engine, build_sessionmaker, run_migrations
from services.pseudonymiser import assembly, cli
from services.pseudonymiser import repository as repo
from services.pseudonymiser.models import Agreement, IdentityRecord, WriteLock
from services.pseudonymiser.settings import PseudonymiserSettings
from tests import postgres
from tests.pseudonymiser.conftest import MIGRATIONS, Federation
from tests.pseudonymiser.replicas import (
    Database,
    Load,
    other_services,
    replica_settings,
    start_replica,
    synthetic_load,
    wait_for_writer,
)
from tests.support import eventually


@pytest.fixture
async def database(request, tmp_path):
    """The replicas' database: a SQLite file, or (parametrized) a PostgreSQL one."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'pseudonymiser.db'}"
        run_migrations(MIGRATIONS, url)
        db = Database(url)
        yield db
        await db.close()
        return
    if not postgres.available():
        pytest.skip("no PostgreSQL binaries")
    with postgres.databases("pseudonymiser") as (url,):
        run_migrations(MIGRATIONS, url)
        db = Database(url)
        yield db
        await db.close()


@pytest.fixture
def settings(nats_env, database) -> dict:
    return replica_settings(nats_env, database.url)


@pytest.fixture
async def fed(nats_env):
    async with other_services(nats_env) as fed:
        yield fed


@pytest.fixture
def replicas(tmp_path):
    started = []

    def start(settings: dict, name: str, **extra):
        replica = start_replica(settings, name, tmp_path, **extra)
        started.append(replica)
        return replica

    yield start
    for replica in started:
        replica.stop()


async def publish(fed: Federation, load: Load) -> None:
    for dataset, rows in load.batches:
        await fed.publish(rows, dataset=dataset)


async def stored(database: Database) -> int:
    return await database.count("identity_records")


async def all_stored(database: Database, load: Load, timeout: float = 240.0) -> None:
    """Every record is in; the dead writer's unacknowledged batches come back once their
    acknowledgement time has run out."""
    async def done():
        return await stored(database) >= load.records

    await eventually(done, timeout=timeout, interval=0.5)


async def a_third_stored(database: Database, load: Load) -> None:
    async def done():
        return await stored(database) >= load.records // 3

    await eventually(done, timeout=120, interval=0.05)


async def assert_linked_as_truth(fed: Federation, database: Database, load: Load) -> None:
    """Each record once, in one person; one person per true person and no more (the
    borough is clean: linkage alone makes no error on it); and what went out on the bus
    says the same (the dead writer's outbox relayed by the new one)."""
    pseudonym_of = await database.linked()
    assert len(pseudonym_of) == load.records and set(pseudonym_of) == set(load.person_of)
    assert None not in pseudonym_of.values()
    people_of: dict[str, set[str]] = {}
    for token, pseudonym in pseudonym_of.items():
        people_of.setdefault(pseudonym, set()).add(load.person_of[token])
    assert all(len(people) == 1 for people in people_of.values()), "persons merged"
    assert len(people_of) == len(set(load.person_of.values())), "a person made twice"

    async def published():
        await fed.pump()
        return all(token in fed.assignments for token in load.person_of)

    await eventually(published, timeout=60, interval=0.2)
    latest = {t: max(fed.assignments[t], key=lambda a: a.version).person
              for t in load.person_of}
    assert latest == pseudonym_of


def officer(nats_env) -> dict:
    token = nats_env.token("pseudonymiser", subject="officer-1", roles=["linkage-officer"])
    return {"Authorization": f"Bearer {token}"}


async def test_one_writer_and_a_standby_that_answers_reads_and_refuses_writes(
        nats_env, settings, database, fed, replicas):
    """The first replica writes, the second stands by. With the writer killed and a
    long lease, the standby (still a standby) answers identity requests from the
    database, serves the review queue and refuses the writer's routes, naming it."""
    slow = {"lease_ttl_s": 60.0, "lease_renew_s": 1.0}
    a = replicas(settings, "a", replica_url="http://a.internal:8001", **slow)
    assert (await asyncio.to_thread(a.wait_ready))["role"] == "writer"
    async with database.engine.connect() as con:  # the writer applied the registry's
        held = (await con.execute(select(Agreement.agreement))).scalars().all()
    assert held == ["dsa-writer"]
    b = replicas(settings, "b", **slow)
    # a standby is ready once the database lacks nothing of the registry
    ready = await asyncio.to_thread(b.wait_ready)
    assert ready["role"] == "standby" and ready["replica"] == "b"
    assert ready["checks"]["agreements"] is True
    assert ready["writer"]["replica"] == "a" and ready["writer"]["epoch"] == 1
    load = synthetic_load(households=20, rows_per_batch=25)
    await publish(fed, load)
    await all_stored(database, load)
    assert await database.count("persons") > 0
    a.kill()
    person = next(iter((await database.linked()).values()))
    answers = [await fed.reidentify(person) for _ in range(3)]
    assert all(answer.found and answer.subjects for answer in answers)
    assert b.role() == "standby"  # answered by the standby: the writer is dead
    async with httpx.AsyncClient(base_url=b.url, headers=officer(nats_env)) as http:
        assert (await http.get("/v1/review")).status_code == 200
        for method, path in (("POST", "/v1/linkage/model/train"),
                             ("GET", "/v1/linkage/model"),
                             ("POST", "/v1/review/no-such-pair")):
            body = {"decision": "match"} if "review" in path else None
            r = await http.request(method, path, json=body)
            assert r.status_code == 503, (path, r.text)
            assert r.headers["content-type"] == "application/problem+json"
            assert r.headers["retry-after"] == "1"
            problem = r.json()
            assert problem["role"] == "standby" and problem["type"] == "urn:tessera:problem:standby"
            assert problem["writer"] == {"replica": "a", "url": "http://a.internal:8001",
                                         "epoch": 1}
        admin = nats_env.token("pseudonymiser", roles=["admin"])
        r = await http.post("/v1/retention/sweep",  # a common route reaching a write
                            headers={"Authorization": f"Bearer {admin}"})
        assert r.status_code == 503 and r.json()["writer"]["replica"] == "a"
        auditor = nats_env.token("pseudonymiser", roles=["auditor"])
        r = await http.get("/v1/ops/compliance", headers={"Authorization": f"Bearer {auditor}"})
        assert r.status_code == 200
        replica = r.json()["replica"]
        assert replica["role"] == "standby" and replica["last_term"] is None
    assert await database.fence() == (1, "a")


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
async def test_kill9_of_the_writer_during_ingest(nats_env, settings, database, fed,
                                                 replicas):
    load = synthetic_load(households=150, rows_per_batch=10)
    a = replicas(settings, "a", link_group_messages=2)
    assert (await asyncio.to_thread(a.wait_ready))["role"] == "writer"
    b = replicas(settings, "b", link_group_messages=2)
    assert (await asyncio.to_thread(b.wait_ready))["role"] == "standby"
    await eventually(lambda: b.readiness()["index"] == "following", timeout=60)
    await publish(fed, load)
    await a_third_stored(database, load)
    a.kill()
    killed = time.monotonic()
    writer = await asyncio.to_thread(wait_for_writer, [b], 60)
    failover = time.monotonic() - killed
    stored_then = await stored(database)
    await all_stored(database, load)
    caught_up = time.monotonic() - killed
    term = writer.readiness()
    print(f"\nfailover ({database.url.split('+')[0]}): the standby wrote {failover:.1f} s after kill -9 of the writer "
          f"({stored_then} of {load.records} records stored then; all stored "
          f"{caught_up:.1f} s after the kill)")
    assert writer is b and term["epoch"] == 2 and await database.fence() == (2, "b")
    auditor = nats_env.token("pseudonymiser", roles=["auditor"])
    async with httpx.AsyncClient(base_url=b.url) as http:
        r = await http.get("/v1/ops/compliance",
                           headers={"Authorization": f"Bearer {auditor}"})
    last = r.json()["replica"]["last_term"]
    assert last["epoch"] == 2 and 0 < last["held"] <= stored_then
    assert last["caught_up"]  # the standby's own index, not a rebuild
    assert failover < 20  # a generous bound on 5 s + 2 x 1 s and the rebuild
    await assert_linked_as_truth(fed, database, load)


async def test_a_frozen_writer_is_deposed_and_stands_down_when_it_wakes(
        settings, database, fed, replicas):
    """SIGSTOP: the writer cannot notice its lease running out. The standby takes over
    (its fence waits for any transaction the frozen writer left open); woken, the old
    writer finds its lease taken and stands down, and nothing is linked twice."""
    load = synthetic_load(households=120, rows_per_batch=10, seed=32)
    cold = {"link_group_messages": 2, "standby_index": False}  # the one elected rebuilds
    a = replicas(settings, "a", **cold)
    assert (await asyncio.to_thread(a.wait_ready))["role"] == "writer"
    b = replicas(settings, "b", **cold)
    assert (await asyncio.to_thread(b.wait_ready))["role"] == "standby"
    await publish(fed, load)
    await a_third_stored(database, load)
    a.signal(signal.SIGSTOP)
    frozen = time.monotonic()
    # b wins the lease after the ttl, then takes the fence: at once, or when a wakes
    # if a was frozen inside a transaction (SQLite's write lock is then a's)
    await eventually(lambda: b.readiness() is not None
                     and b.readiness()["writer"]["replica"] == "b", timeout=60, interval=0.1)
    won = time.monotonic() - frozen
    a.signal(signal.SIGCONT)
    await asyncio.to_thread(wait_for_writer, [b], 60)
    await eventually(lambda: a.role() == "standby", timeout=30, interval=0.1)
    print(f"\nfrozen writer: the standby won the lease {won:.1f} s after SIGSTOP")
    await all_stored(database, load)
    assert await database.fence() == (2, "b")
    await assert_linked_as_truth(fed, database, load)
    assert "stood down from epoch 1" in a.log.read_text()
    assert "records rebuilt in" in b.log.read_text()


async def test_a_deposed_writers_linkage_is_refused_by_its_epoch(nats_env, database):
    """Two writers' services on one database, directly: the first links under epoch 1;
    once the second has taken epoch 2, the first's next linkage call is refused before
    it writes anything and it is told, and the second, its index rebuilt from the
    database, links the same people to the persons the first made."""
    url = database.url
    settings = PseudonymiserSettings(
        **nats_env.settings_kwargs("pseudonymiser", url),
        person_key_path=nats_env.layout.key("pseudonym-person"),
        household_key_path=nats_env.layout.key("pseudonym-household"))
    engines = [build_engine(url), build_engine(url)]
    try:
        sessions = [build_sessionmaker(e) for e in engines]
        old, new = [await assembly.build(settings, s, elected=True) for s in sessions]
        told = []
        old.lock.fenced_off = lambda: told.append("fenced")
        load = synthetic_load(households=10, rows_per_batch=1000, seed=33)
        (dataset, rows), = [b for b in load.batches if b[0] == "gp-p81001"]
        first, second = rows[: len(rows) // 2], rows[len(rows) // 2:]

        def batch(part: list[dict], copy: str = "") -> m.IdentityBatch:
            return m.IdentityBatch(
                batch_id=f"b{copy}", chunk=0, partner="p-gp", dataset=dataset,
                level="person", rows=[m.IdentityRow(**{**r, "record_token":
                                                        r["record_token"] + copy})
                                      for r in part])

        async with sessions[0]() as session, session.begin():
            old.lock.epoch = await repo.take_fence(session, "old")
        async with sessions[0]() as session, session.begin():
            await old.ingest(session, batch(first), "data")
        async with sessions[1]() as session, session.begin():
            new.lock.epoch = await repo.take_fence(session, "new")
        with pytest.raises(Fenced):
            async with sessions[0]() as session, session.begin():
                await old.ingest(session, batch(second), "data")
        assert told == ["fenced"] and not old.lock.locked()
        async with sessions[1]() as session:
            assert await session.scalar(select(func.count(IdentityRecord.record_token))) \
                == len(first)
            assert await new.load(session) == len(first)
        async with sessions[1]() as session, session.begin():
            await new.ingest(session, batch(first, copy="-again"), "data")
            await new.ingest(session, batch(second), "data")
        pseudonym_of = await database.linked()
        assert all(pseudonym_of[r["record_token"]] == pseudonym_of[r["record_token"] +
                                                                   "-again"] for r in first)
        assert len(set(pseudonym_of.values())) == len(
            {load.person_of[r["record_token"]] for r in rows})
    finally:
        for engine in engines:
            await engine.dispose()


async def test_a_standbys_index_caught_up_holds_what_a_rebuild_would(nats_env, database):
    """A standby loads its index, then follows the database by received_seq; at its
    election it catches up and drops what was deleted meanwhile. The result is the
    index a rebuild from the database gives, row for row."""
    url = database.url
    settings = PseudonymiserSettings(
        **nats_env.settings_kwargs("pseudonymiser", url),
        person_key_path=nats_env.layout.key("pseudonym-person"),
        household_key_path=nats_env.layout.key("pseudonym-household"))
    engine = build_engine(url)
    try:
        sessions = build_sessionmaker(engine)
        writer = await assembly.build(settings, sessions)
        standby, fresh = [await assembly.build(settings, sessions, elected=True)
                          for _ in range(2)]
        load = synthetic_load(households=30, rows_per_batch=40, seed=34)
        batches = [m.IdentityBatch(batch_id=f"b{i}", chunk=0, partner=f"p-{dataset}",
                                   dataset=dataset, level="person",
                                   rows=[m.IdentityRow(**r) for r in rows])
                   for i, (dataset, rows) in enumerate(load.batches)]
        half = len(batches) // 2

        async def link(batch):
            async with sessions() as session, session.begin():
                await writer.ingest(session, batch, "data")

        for batch in batches[:half]:
            await link(batch)
        async with sessions() as session:
            after = await repo.next_seq(session) - 1
            await standby.load(session)
        for batch in batches[half:]:
            await link(batch)
        first = batches[0].rows[:5]  # sent again, changed: a newer received_seq
        await link(batches[0].model_copy(update={"batch_id": "again", "rows": [
            r.model_copy(update={"given_name": (r.given_name or "") + "e"}) for r in first]}))
        gone = [r.record_token for r in batches[1].rows[:4]]
        async with sessions() as session, session.begin():
            await session.execute(delete(IdentityRecord).where(
                IdentityRecord.record_token.in_(gone)))
        async with sessions() as session:
            added, last = await standby.linkage.catch_up(session, after)
            assert added >= sum(len(b.rows) for b in batches[half:]) + len(first)
            assert set(gone) <= standby.linkage.index.tokens()  # deletions: not seen yet
            assert await standby.linkage.reconcile(session) == len(gone)
            assert await fresh.load(session) == len(standby.linkage.index)
            assert last == await repo.next_seq(session) - 1
        tokens = fresh.linkage.index.tokens()
        assert standby.linkage.index.tokens() == tokens and not set(gone) & tokens

        def rows(service):
            frame = service.linkage.index.features(tokens)
            return frame.sort_values("unique_id").reset_index(drop=True)

        assert rows(standby).equals(rows(fresh))
    finally:
        await engine.dispose()


async def test_the_operators_relink_takes_an_epoch_of_its_own(nats_env, database):
    """`python -m services.pseudonymiser relink` (the service stopped) fences off any
    replica still writing before it reads what is held."""
    settings = PseudonymiserSettings(
        **nats_env.settings_kwargs("pseudonymiser", database.url),
        person_key_path=nats_env.layout.key("pseudonym-person"),
        household_key_path=nats_env.layout.key("pseudonym-household"))
    async with database.engine.begin() as con:
        await con.execute(update(WriteLock).values(fence=1, holder="a"))
    report = await cli._relink(settings)
    assert report["model_version"] and await database.fence() == (2, "relink")
