"""Incremental linkage calls in a row (linking.py, service.py) on a migrated SQLite
database: each call's records join the index while the call commits, and the next call
links against them."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from services.common import messages as m
from services.common.db import build_engine, build_sessionmaker, run_migrations
from services.pseudonymiser import assembly
from services.pseudonymiser.models import IdentityRecord
from services.pseudonymiser.settings import PseudonymiserSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "pseudonymiser" / "migrations"
AMY = {"given_name": "Amy", "family_name": "Hartley", "date_of_birth": "1988-04-02",
       "sex": "F", "address": "12 Mill Lane", "postcode": "OL4 2JT"}


@pytest.fixture
async def service(tmp_path):
    for name in ("person", "household"):
        (tmp_path / f"{name}.key").write_text(os.urandom(32).hex())
    url = f"sqlite+aiosqlite:///{tmp_path / 'p.db'}"
    run_migrations(MIGRATIONS, url)
    settings = PseudonymiserSettings(database_url=url, person_key_path=tmp_path / "person.key",
                                     household_key_path=tmp_path / "household.key")
    engine = build_engine(url)
    sessionmaker = build_sessionmaker(engine)
    yield await assembly.build(settings, sessionmaker), sessionmaker
    await engine.dispose()


def batch(name: str, **row) -> m.IdentityBatch:
    return m.IdentityBatch(batch_id=name, chunk=0, partner="gp", dataset="gp-a", level="person",
                           rows=[m.IdentityRow(record_token=f"r_{name}", local_id=name, **row)])


async def person_of(sessionmaker, token: str) -> int:
    async with sessionmaker() as session:
        return (await session.get(IdentityRecord, token)).person_id


async def test_the_next_call_links_against_records_the_index_is_still_adding(service,
                                                                               monkeypatch):
    """The index upsert of a call's records runs while the call commits; the next call
    waits for it before scoring, so a slow upsert never hides a record from it."""
    pseudonymiser, sessionmaker = service
    upsert = pseudonymiser.linkage.index.upsert

    def slow_upsert(frame):
        time.sleep(0.5)
        upsert(frame)

    monkeypatch.setattr(pseudonymiser.linkage.index, "upsert", slow_upsert)
    for name in ("first", "second"):
        async with sessionmaker() as session, session.begin():
            await pseudonymiser.ingest(session, batch(name, **AMY), "data")
    assert await person_of(sessionmaker, "r_first") == await person_of(sessionmaker,
                                                                       "r_second")


async def test_a_failed_index_upsert_is_tried_again_before_the_next_call(service,
                                                                        monkeypatch):
    pseudonymiser, sessionmaker = service
    upsert, failures = pseudonymiser.linkage.index.upsert, []

    def failing_once(frame):
        if not failures:
            failures.append(frame)
            raise RuntimeError("index busy")
        upsert(frame)

    monkeypatch.setattr(pseudonymiser.linkage.index, "upsert", failing_once)
    for name in ("first", "second"):
        async with sessionmaker() as session, session.begin():
            await pseudonymiser.ingest(session, batch(name, **AMY), "data")
    assert len(failures) == 1
    assert await person_of(sessionmaker, "r_first") == await person_of(sessionmaker,
                                                                       "r_second")
    await settled(pseudonymiser, sessionmaker)
    assert len(pseudonymiser.linkage.index) == 2


async def test_an_upsert_failing_twice_fails_the_next_call_and_stays_pending(service,
                                                                            monkeypatch):
    """The retry fails too: the next call fails (its batch is retried by the consumer),
    and the records are still added before any later call scores."""
    pseudonymiser, sessionmaker = service
    upsert, failures = pseudonymiser.linkage.index.upsert, []

    def failing_twice(frame):
        if len(failures) < 2:
            failures.append(frame)
            raise RuntimeError("index busy")
        upsert(frame)

    monkeypatch.setattr(pseudonymiser.linkage.index, "upsert", failing_twice)
    async with sessionmaker() as session, session.begin():
        await pseudonymiser.ingest(session, batch("first", **AMY), "data")
    with pytest.raises(RuntimeError):
        async with sessionmaker() as session, session.begin():
            await pseudonymiser.ingest(session, batch("second", **AMY), "data")
    async with sessionmaker() as session, session.begin():
        await pseudonymiser.ingest(session, batch("second", **AMY), "data")
    assert await person_of(sessionmaker, "r_first") == await person_of(sessionmaker,
                                                                       "r_second")


async def settled(pseudonymiser, sessionmaker) -> None:
    """The last call's records are in the index."""
    async with sessionmaker() as session, session.begin():
        await pseudonymiser.lock.hold(session)
        await pseudonymiser.linkage.caught_up(session)


def held_given_names(index) -> dict[str, str]:
    return dict(index.con.execute("SELECT unique_id, given_name FROM tessera_held").fetchall())


async def test_a_rolled_back_call_leaves_the_index_as_the_database_is(service):
    """A call's upsert starts before its commit; if the transaction rolls back, the next
    call first puts the index back: new records out, re-sent held records as held."""
    pseudonymiser, sessionmaker = service
    async with sessionmaker() as session, session.begin():
        await pseudonymiser.ingest(session, batch("first", **AMY), "data")

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned):
        async with sessionmaker() as session, session.begin():
            await pseudonymiser.ingest(session, [
                batch("first", **{**AMY, "given_name": "Zelda"}),
                batch("other", **{**AMY, "given_name": "Bella",
                                  "date_of_birth": "1990-01-01"}),
            ], "data")
            await pseudonymiser.linkage._linker._remembering.task  # the upsert has run
            assert held_given_names(pseudonymiser.linkage.index)["r_first"] == "ZELDA"
            raise Abandoned  # e.g. the outbox insert failed: nothing is committed
    async with sessionmaker() as session, session.begin():
        await pseudonymiser.ingest(session, batch("second", **AMY), "data")
    await settled(pseudonymiser, sessionmaker)
    names = held_given_names(pseudonymiser.linkage.index)
    assert names == {"r_first": "AMY", "r_second": "AMY"}
    assert await person_of(sessionmaker, "r_first") == await person_of(sessionmaker,
                                                                       "r_second")


async def test_a_full_re_link_waits_for_the_last_calls_records(service, monkeypatch):
    """Started right after a linkage call, the re-link scores the index with that call's
    records in it: the person they were linked into is not split."""
    from services.pseudonymiser import relink

    pseudonymiser, sessionmaker = service
    async with sessionmaker() as session, session.begin():
        await pseudonymiser.ingest(session, batch("first", **AMY), "data")
    upsert = pseudonymiser.linkage.index.upsert

    def slow_upsert(frame):
        time.sleep(0.5)
        upsert(frame)

    monkeypatch.setattr(pseudonymiser.linkage.index, "upsert", slow_upsert)
    async with sessionmaker() as session, session.begin():
        await pseudonymiser.ingest(session, batch("second", **AMY), "data")
    async with sessionmaker() as session, session.begin():
        report, _ = await relink.relink(pseudonymiser, session)
    assert report.splits == 0 and report.persons_after == 1
    assert await person_of(sessionmaker, "r_first") == await person_of(sessionmaker,
                                                                       "r_second")
