"""The fencing epoch on the write-lock row, on SQLite (two engines on one file, as two
processes) and on PostgreSQL: a newer epoch waits for the older writer's open
transaction, and after it nothing of the older epoch commits."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy import Integer, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common import tables
from services.common.db import (
    Fenced,
    build_engine,
    build_sessionmaker,
    check_fence,
    take_fence,
)
from tests import postgres


class Base(DeclarativeBase):
    pass


WriteLock = tables.fenced_write_lock(Base)


class Row(Base):
    __tablename__ = "rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    epoch: Mapped[int] = mapped_column(Integer)


@pytest.fixture(params=["sqlite", "postgresql"])
async def two_writers(request, tmp_path):
    """Sessions of two engines on one database (two writer processes' connections)."""
    if request.param == "sqlite":
        async with sessions_of(f"sqlite+aiosqlite:///{tmp_path / 'fence.db'}") as pair:
            yield pair
        return
    if not postgres.available():
        pytest.skip("no PostgreSQL binaries")
    with postgres.databases("fence") as (url,):
        async with sessions_of(url) as pair:
            yield pair


@contextlib.asynccontextmanager
async def sessions_of(url: str):
    engines = [build_engine(url) for _ in range(2)]
    try:
        async with engines[0].begin() as con:
            await con.run_sync(Base.metadata.create_all)
        yield [build_sessionmaker(engine) for engine in engines]
    finally:
        for engine in engines:
            await engine.dispose()


async def test_a_deposed_writer_cannot_commit(two_writers):
    old, new = two_writers
    async with old() as session, session.begin():
        mine = await take_fence(session, WriteLock, "old")
    async with old() as session, session.begin():
        await check_fence(session, WriteLock, mine)
        session.add(Row(id=1, epoch=mine))
    async with new() as session, session.begin():
        theirs = await take_fence(session, WriteLock, "new")
    assert theirs == mine + 1
    with pytest.raises(Fenced):
        async with old() as session, session.begin():
            await check_fence(session, WriteLock, mine)
            session.add(Row(id=2, epoch=mine))
    async with new() as session, session.begin():
        await check_fence(session, WriteLock, theirs)
        session.add(Row(id=3, epoch=theirs))
    async with new() as session:
        rows = (await session.execute(select(Row.id, Row.epoch).order_by(Row.id))).all()
        holder = (await session.execute(select(WriteLock.holder))).scalar_one()
    assert [tuple(r) for r in rows] == [(1, mine), (3, theirs)] and holder == "new"


async def test_the_next_epoch_waits_for_the_old_writers_open_transaction(two_writers):
    """The old writer checked its epoch and is still writing when a new one is elected:
    the new epoch is taken only once that transaction has ended, so what the old writer
    committed is there for the new one to read, and its next transaction is refused."""
    old, new = two_writers
    async with old() as session, session.begin():
        mine = await take_fence(session, WriteLock, "old")
    checked, taken = asyncio.Event(), asyncio.Event()

    async def old_writer():
        async with old() as session, session.begin():
            await check_fence(session, WriteLock, mine)
            checked.set()
            await asyncio.sleep(0.5)  # the new writer is elected meanwhile
            await session.execute(insert(Row).values(id=1, epoch=mine))
            assert not taken.is_set()

    async def new_writer() -> tuple[int, list[int]]:
        await checked.wait()
        async with new() as session, session.begin():
            epoch = await take_fence(session, WriteLock, "new")
            taken.set()
            seen = list((await session.execute(select(Row.id))).scalars())
        return epoch, seen

    _, (theirs, seen) = await asyncio.gather(old_writer(), new_writer())
    assert theirs == mine + 1 and seen == [1]
    with pytest.raises(Fenced):
        async with old() as session, session.begin():
            await check_fence(session, WriteLock, mine)


async def test_the_first_epoch_makes_the_row(tmp_path):
    async with sessions_of(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}") as (sessions, _):
        with pytest.raises(Fenced):  # no row, no epoch: nothing may write
            async with sessions() as session, session.begin():
                await check_fence(session, WriteLock, 0)
        async with sessions() as session, session.begin():
            assert await take_fence(session, WriteLock, "a") == 1
        async with sessions() as session, session.begin():
            await check_fence(session, WriteLock, 1)
