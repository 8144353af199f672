"""SQLite plumbing: page cache size, and checkpoints off the commit path."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from services.common.db import (
    DatabaseKeyError,
    WalCheckpointer,
    build_engine,
    engine_key,
    open_sqlite_writer,
    read_database_key,
    sqlcipher_key,
    sqlite_connect,
    sqlite_path,
)

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


# --- SQLCipher: encrypted at rest -----------------------------------------------------

KEY = sqlcipher_key("5e" * 32)
MARK = "QUIXOTIC-MARKER-4417"  # a value to look for in the files' bytes


def _bytes_on_disk(path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


@pytest.mark.parametrize("key", [KEY, None])
async def test_a_keyed_engine_writes_no_plaintext(tmp_path, key):
    """With a key the database and its WAL hold ciphertext only (and the standard
    library cannot open them); without one the same scan finds the value."""
    path = tmp_path / "enc.db"
    engine = build_engine(f"sqlite+aiosqlite:///{path}", key=key, background_checkpoint=True)
    try:
        async with engine.begin() as con:
            await con.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
            await con.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": MARK}])
        assert engine_key(engine) == key
        found = MARK.encode() in _bytes_on_disk(path)  # while it is in the WAL
        checkpointer = WalCheckpointer(path, key=key)
        assert checkpointer.run()[0] == 0
        checkpointer.close()
        found |= MARK.encode() in _bytes_on_disk(path)
        # a duplicate is SQLAlchemy's IntegrityError on either driver
        with pytest.raises(IntegrityError):
            async with engine.begin() as con:
                await con.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": MARK}])
    finally:
        await engine.dispose()
    assert found is (key is None)
    if key is not None:
        with pytest.raises(sqlite3.DatabaseError), sqlite3.connect(path) as con:
            con.execute("SELECT count(*) FROM t").fetchone()


def test_a_wrong_key_or_a_plain_database_is_named(tmp_path):
    path = tmp_path / "k.db"
    sqlite_connect(path, KEY).execute("CREATE TABLE t (v)").connection.close()
    with pytest.raises(DatabaseKeyError, match="database_key_file"):
        sqlite_connect(path, sqlcipher_key("77" * 32))
    plain = tmp_path / "plain.db"
    with sqlite3.connect(plain) as con:
        con.execute("CREATE TABLE t (v)")
    with pytest.raises(DatabaseKeyError, match="without encryption"):
        sqlite_connect(plain, KEY)


def test_a_key_file_holds_a_raw_key_or_a_passphrase(tmp_path):
    assert sqlcipher_key("AB" * 32 + "\n") == "\"x'" + "AB" * 32 + "'\""
    assert sqlcipher_key("it's a passphrase") == "'it''s a passphrase'"
    with pytest.raises(DatabaseKeyError):
        sqlcipher_key("  \n")
    with pytest.raises(DatabaseKeyError, match="database_key_file"):
        read_database_key(tmp_path / "absent.key")
    path = tmp_path / "p.db"  # a passphrase opens what it wrote, and nothing else does
    sqlite_connect(path, sqlcipher_key("correct horse")).execute("CREATE TABLE t (v)")
    sqlite_connect(path, sqlcipher_key("correct horse")).close()
    with pytest.raises(DatabaseKeyError):
        sqlite_connect(path, sqlcipher_key("wrong horse"))


async def test_a_keyed_writer_connection(tmp_path):
    path = tmp_path / "w.db"
    sqlite_connect(path, KEY).execute("CREATE TABLE t (v)").connection.close()
    db = await open_sqlite_writer(path, KEY)
    try:
        await db.execute("INSERT INTO t VALUES (?)", (MARK,))
        await db.commit()
        assert (await (await db.execute("PRAGMA journal_mode")).fetchone())[0] == "wal"
    finally:
        await db.close()
    with sqlite_connect(path, KEY) as con:
        assert con.execute("SELECT v FROM t").fetchone()[0] == MARK


def test_production_refuses_a_plain_sqlite_database(tmp_path):
    from services.common.settings import ServiceSettings
    from tests.common.test_settings import SECURE

    base = {**SECURE, "database_url": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"}
    with pytest.raises(ValueError, match="DATABASE_KEY_FILE must be set"):
        ServiceSettings(**base)
    with pytest.raises(ValueError, match="database_key_file: no key at"):
        ServiceSettings(**base, database_key_file=tmp_path / "absent.key")
    (tmp_path / "db.key").write_text("5e" * 32)
    assert ServiceSettings(**base, database_key_file=tmp_path / "db.key").database_key() == KEY
    # PostgreSQL's files are the deployment's to encrypt: no key needed, none used
    pg = ServiceSettings(**{**base, "database_url": "postgresql+asyncpg://u:pw@h/db"},
                         database_key_file=tmp_path / "db.key")
    assert pg.database_key() is None
