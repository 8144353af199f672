"""SQLite plumbing: page cache size, and checkpoints off the commit path."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import text

from services.common.db import WalCheckpointer, build_engine, sqlite_path

ROWS = 3000  # 3000 rows of 4 KB: about 3,000 WAL pages, past SQLite's 1,000-page trigger


@pytest.mark.parametrize("background", [False, True])
async def test_commit_checkpoints_only_without_background(tmp_path, background):
    path = tmp_path / "db.sqlite"
    # the engine stays open: SQLite checkpoints when the last connection closes
    engine = build_engine(f"sqlite+aiosqlite:///{path}", background_checkpoint=background)
    try:
        async with engine.begin() as con:
            await con.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)"))
        async with engine.begin() as con:
            await con.execute(text("INSERT INTO t (body) VALUES (randomblob(4000))"),
                              [{}] * ROWS)
        # SQLite's own checkpoint (in the commit) has copied the pages into the database
        # file; with background checkpoints they are only in the WAL until one runs
        assert (path.stat().st_size > ROWS * 4000) is not background
        checkpointer = WalCheckpointer(path)
        busy, frames, done = checkpointer.run()
        assert busy == 0 and frames == done and frames > 1000
        assert path.stat().st_size > ROWS * 4000
        async with engine.begin() as con:  # writing on after a checkpoint
            await con.execute(text("INSERT INTO t (body) VALUES (randomblob(4000))"))
        checkpointer.close()
        assert (tmp_path / "db.sqlite-wal").stat().st_size == 0  # TRUNCATE on close
    finally:
        await engine.dispose()
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] == ROWS + 1


async def test_cache_size_per_connection(tmp_path):
    engine = build_engine(f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", cache_mb=64)
    try:
        async with engine.connect() as con:
            assert (await con.execute(text("PRAGMA cache_size"))).scalar() == -64 * 1024
            assert (await con.execute(text("PRAGMA wal_autocheckpoint"))).scalar() == 1000
            assert (await con.execute(text("PRAGMA mmap_size"))).scalar() == 0
    finally:
        await engine.dispose()


async def test_memory_mapped_reads(tmp_path):
    """`mmap_mb` maps the database for reads; what is read through the map is what was
    written (a write after the map was made included)."""
    engine = build_engine(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}", mmap_mb=64)
    try:
        async with engine.begin() as con:
            assert (await con.execute(text("PRAGMA mmap_size"))).scalar() == 64 * 1024 * 1024
            await con.execute(text("CREATE TABLE t (v TEXT)"))
            await con.execute(text("INSERT INTO t VALUES (:v)"), [{"v": f"{i}"} for i in range(500)])
        async with engine.begin() as con:
            await con.execute(text("UPDATE t SET v = 'x' WHERE v = '7'"))
        async with engine.connect() as con:
            assert (await con.execute(text("SELECT count(*) FROM t WHERE v = 'x'"))).scalar() == 1
            assert (await con.execute(text("SELECT count(*) FROM t"))).scalar() == 500
    finally:
        await engine.dispose()


def test_checkpointer_without_database_and_paths(tmp_path):
    assert WalCheckpointer(tmp_path / "absent.db").run() == (0, 0, 0)
    WalCheckpointer(tmp_path / "absent.db").close()
    assert sqlite_path("sqlite+aiosqlite:///:memory:") is None
    assert sqlite_path("postgresql+asyncpg://u@h/db") is None
    assert sqlite_path(f"sqlite+aiosqlite:///{tmp_path}/x.db") == tmp_path / "x.db"
    with pytest.raises(ValueError):
        WalCheckpointer(tmp_path / "absent.db").run("FULL; DROP")


def test_a_busy_log_starts_over(tmp_path):
    """A reader (or a writer) busy while the PASSIVE checkpoint runs leaves frames it could
    not copy; past the size limit a RESTART checkpoint follows, so the next commit writes
    from the start of the log and the file is cut back. Without it the log only grows."""
    path = tmp_path / "busy.db"
    limit = 1024 * 1024
    writer = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "wal_autocheckpoint=0", f"journal_size_limit={limit}"):
        writer.execute(f"PRAGMA {pragma}")
    writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)")
    reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    checkpointer = WalCheckpointer(path, size_limit_mb=1)

    def write(rows: int) -> None:
        writer.execute("BEGIN")
        writer.executemany("INSERT INTO t (body) VALUES (randomblob(4000))", [()] * rows)
        writer.execute("COMMIT")

    try:
        for _ in range(5):
            write(500)
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM t").fetchone()  # holds this snapshot
            write(500)  # 2 MB the checkpoint may not copy while the reader is on
            leave = threading.Timer(0.2, reader.execute, ("COMMIT",))
            leave.start()
            checkpointer.run()
            leave.join()
        write(1)
        assert (tmp_path / "busy.db-wal").stat().st_size <= limit  # not 20 MB
    finally:
        checkpointer.close()
        reader.close()
        writer.close()
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 5001


@pytest.mark.parametrize("secure", [True, False])
async def test_a_deleted_row_leaves_nothing_in_the_file(tmp_path, secure):
    """secure_delete zeroes a deleted row's bytes; without it (the control) they stay in
    the file's free space for anyone who reads it."""
    path = tmp_path / "slice.db"
    engine = build_engine(f"sqlite+aiosqlite:///{path}")
    marker = "Quarrington-Zebedee-" * 20
    async with engine.begin() as con:
        await con.execute(text("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT)"))
        await con.execute(text("INSERT INTO people (name) VALUES (:n)"), {"n": marker})
        await con.execute(text("INSERT INTO people (name) VALUES ('someone else')"))
    async with engine.begin() as con:
        if not secure:
            await con.execute(text("PRAGMA secure_delete=OFF"))
        await con.execute(text("DELETE FROM people WHERE name = :n"), {"n": marker})
    async with engine.connect() as con:
        await con.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    await engine.dispose()
    found = any(marker.encode() in p.read_bytes() for p in tmp_path.iterdir())
    assert found is not secure
