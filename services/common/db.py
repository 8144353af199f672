"""Database plumbing: async engine, sessionmaker, Alembic runner (the unit of work per
request is `services.common.sessions`)."""

from __future__ import annotations

import functools
import sqlite3
import threading
import types
import weakref
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import DateTime, Integer, String, event, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# with background checkpoints, a WAL past this many MB is checkpointed with RESTART (it
# holds writers back briefly) and cut back to it when the log starts over
WAL_SIZE_LIMIT_MB = 64

def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


# every SQLite connection's settings: write-ahead log, commits not synced until a
# checkpoint (a committed transaction survives a process crash), foreign keys, waits
# secure_delete: a deleted row's bytes are overwritten with zeros, not left in free pages
# for anyone reading the file (an ended agreement's identities must not outlive it)
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                  "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=30000",
                  "PRAGMA secure_delete=ON")


# --- SQLCipher: SQLite encrypted at rest ----------------------------------------------
#
# With a key, every SQLite file a slice opens (its database, WAL and backups) is written
# by SQLCipher 4 (the sqlcipher3 wheel bundles it): each page encrypted with AES-256 and
# authenticated with HMAC-SHA512. Without one, the standard library's sqlite3 opens it.


class DatabaseKeyError(RuntimeError):
    """The database cannot be opened with the key given (or without one); names the
    file and the setting, never the key."""


def sqlcipher_key(secret: str) -> str:
    """The operand of ``PRAGMA key`` for a key file's content: 64 hex digits are a raw
    256-bit key (no key derivation on each connection), anything else a passphrase
    (SQLCipher derives the key with PBKDF2-HMAC-SHA512, 256,000 iterations, on every
    connection it opens)."""
    secret = secret.strip()
    if not secret:
        raise DatabaseKeyError("the database key is empty")
    if len(secret) == 64 and all(c in "0123456789abcdefABCDEF" for c in secret):
        return f"\"x'{secret}'\""
    return "'" + secret.replace("'", "''") + "'"


def read_database_key(path: Path) -> str:
    """The ``PRAGMA key`` operand from a key file (hex key or passphrase)."""
    try:
        return sqlcipher_key(Path(path).read_text())
    except OSError as exc:
        raise DatabaseKeyError(f"cannot read the database key {path} "
                               f"({type(exc).__name__}); set database_key_file") from None


# what to catch around a connection from sqlite_connect: SQLCipher's driver has its own
# exception classes
SQLITE_ERRORS = (sqlite3.Error, sqlcipher.Error)
SQLITE_INTEGRITY_ERRORS = (sqlite3.IntegrityError, sqlcipher.IntegrityError)
SQLITE_DATABASE_ERRORS = (sqlite3.DatabaseError, sqlcipher.DatabaseError)


def sqlite_connect(database: str | Path, key: str | None = None, **kwargs):
    """A sqlite3-compatible connection: the standard library's without a key, SQLCipher's
    with one, keyed by its first statement (nothing can be read before it)."""
    if key is None:
        return sqlite3.connect(database, **kwargs)
    con = sqlcipher.connect(str(database), **kwargs)
    try:
        con.execute(f"PRAGMA key = {key}")
        # the key is only checked when a page is read: read one now, for a clear error
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError:
        con.close()
        raise DatabaseKeyError(
            f"the database {database} does not open with database_key_file: a wrong key, "
            "or a database written without encryption") from None
    return con


def aiosqlite_connect(database: str | Path, key: str | None = None,
                      **kwargs) -> aiosqlite.Connection:
    """aiosqlite's connection around ``sqlite_connect`` (SQLCipher when keyed)."""
    return aiosqlite.Connection(lambda: sqlite_connect(database, key, **kwargs),
                                iter_chunk_size=64)


@functools.cache
def _async_sqlcipher_dbapi():
    """SQLAlchemy's aiosqlite adapter over SQLCipher: aiosqlite's connection and thread,
    SQLCipher's driver and exception classes, so an IntegrityError is still one."""
    from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi

    module = types.ModuleType("tessera_aiosqlcipher")
    for name in ("DatabaseError", "Error", "IntegrityError", "NotSupportedError",
                 "OperationalError", "ProgrammingError", "sqlite_version",
                 "sqlite_version_info"):
        setattr(module, name, getattr(sqlcipher, name))
    module.Connection = aiosqlite.Connection
    module.__version__ = aiosqlite.__version__
    module.connect = aiosqlite_connect
    return AsyncAdapt_aiosqlite_dbapi(module, sqlcipher)


def sqlcipher_engine_kwargs(url: str, key: str | None) -> dict:
    """What ``create_async_engine`` needs to open a SQLite URL with SQLCipher and `key`
    (nothing without a key or for another database)."""
    if key is None or make_url(url).get_backend_name() != "sqlite":
        return {}
    return {"module": _async_sqlcipher_dbapi(), "connect_args": {"key": key}}


# the key each engine opens its database with, for code that opens the file beside it
_ENGINE_KEYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def engine_key(engine: AsyncEngine) -> str | None:
    """The SQLCipher key ``build_engine`` was given for this engine (None: none)."""
    return _ENGINE_KEYS.get(engine.sync_engine)


async def open_sqlite_writer(path: Path, key: str | None = None) -> aiosqlite.Connection:
    """A connection of its own for one hot writer, outside the engine's pool: a batch is
    then two hand-offs to its thread (executemany, commit) where a pooled Core
    transaction takes five or six, each a thread switch."""
    db = await aiosqlite_connect(path, key, timeout=30)
    for pragma in SQLITE_PRAGMAS:
        await db.execute(pragma)
    return db


def sqlite_writer(path: Path, key: str | None = None):
    """A plain connection of its own for one hot writer that runs a whole step on one
    worker thread (a transaction begun and ended explicitly: autocommit mode)."""
    con = sqlite_connect(path, key, timeout=30, check_same_thread=False,
                         isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        con.execute(pragma)
    return con


def build_engine(url: str, *, key: str | None = None, cache_mb: int = 0,
                 background_checkpoint: bool = False, mmap_mb: int = 0,
                 wal_limit_mb: int = WAL_SIZE_LIMIT_MB) -> AsyncEngine:
    """SQLite (WAL) or PostgreSQL. For SQLite, `key` (a ``PRAGMA key`` operand,
    `read_database_key`) opens it with SQLCipher, `cache_mb` sets each connection's page
    cache (0: SQLite's 2 MB), `mmap_mb` its memory-mapped reads (0: none), and
    `background_checkpoint` turns off the checkpoint a commit runs once the WAL passes
    1,000 pages: a `WalCheckpointer` must then run them."""
    parsed = make_url(url)
    kwargs: dict = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs = sqlcipher_engine_kwargs(url, key)
        kwargs["connect_args"] = {**kwargs.get("connect_args", {}), "timeout": 30}
    else:
        key = None  # PostgreSQL's files are the deployment's to encrypt (operations.md)
        kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
    engine = create_async_engine(url, **kwargs)
    if key is not None:
        _ENGINE_KEYS[engine.sync_engine] = key
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            for pragma in SQLITE_PRAGMAS:
                cur.execute(pragma)
            if cache_mb:
                cur.execute(f"PRAGMA cache_size=-{int(cache_mb) * 1024}")
            if mmap_mb:
                cur.execute(f"PRAGMA mmap_size={int(mmap_mb) * 1024 * 1024}")
            if background_checkpoint:
                cur.execute("PRAGMA wal_autocheckpoint=0")
                # the commit that rewinds the log cuts the file back to this
                cur.execute(f"PRAGMA journal_size_limit={int(wal_limit_mb) * 1024 * 1024}")
            cur.close()

    return engine


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (None for other databases and in-memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


class WalCheckpointer:
    """Copies committed WAL pages back into a SQLite database on its own connection, off
    the writers' path (SQLite's "application-initiated checkpoints").

    By default SQLite checkpoints inside the commit that takes the WAL past 1,000 pages:
    that commit also writes those pages to the database file and syncs it. At 1M records
    a linkage call dirties tens of thousands of pages (random keys in large indexes) and
    its commit took 0.4 s, most of it the checkpoint. With `build_engine(...,
    background_checkpoint=True)` commits only append to the WAL and this runs the
    checkpoints: PASSIVE ones (never waiting for readers or the writer) each `run`, and
    a TRUNCATE one on `close`. Durability is unchanged: a committed transaction is in
    the WAL either way, and SQLite replays it on open after a crash.

    A PASSIVE checkpoint alone never lets a busy WAL start over: writers go on appending
    while it copies, so when it ends the log holds frames it has not copied, and SQLite
    rewinds the log only for a writer that finds every frame copied. Under a steady stream
    of commits (the linker applying a re-link's 600,000 assignments) the WAL grew to 14.8
    GB beside a 193 MB database. So once the log passes `size_limit_mb`, `run` follows the
    PASSIVE checkpoint with a RESTART one: it holds writers back while it copies the few
    frames the PASSIVE one left and waits for readers to leave the log, so the next
    commit writes from the start of the file (cut back to the limit, `journal_size_limit`)."""

    def __init__(self, path: Path, size_limit_mb: int = WAL_SIZE_LIMIT_MB,
                 key: str | None = None):
        self.path = path
        self.key = key
        self.size_limit = size_limit_mb * 1024 * 1024
        self._con = None  # a sqlite3 or SQLCipher connection
        self._page: int | None = None
        self._lock = threading.Lock()  # run from worker threads; close may overlap one

    def _connection(self):
        if self._con is None:
            # a plain connection, used from one worker thread at a time
            self._con = sqlite_connect(self.path, self.key, timeout=30,
                                       check_same_thread=False, isolation_level=None)
            self._con.execute(f"PRAGMA journal_size_limit={self.size_limit}")
        return self._con

    def run(self, mode: str = "PASSIVE") -> tuple[int, int, int]:
        """One checkpoint: (busy, frames in the WAL, frames checkpointed). A PASSIVE run
        that finds the log past the size limit is followed by a RESTART one."""
        if mode not in ("PASSIVE", "RESTART", "TRUNCATE"):
            raise ValueError(mode)
        with self._lock:
            if not self.path.exists():
                return (0, 0, 0)
            con = self._connection()
            busy, frames, done = con.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
            if mode == "PASSIVE" and frames * self._page_size() > self.size_limit:
                busy, frames, done = con.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
            return busy, frames, done

    def _page_size(self) -> int:
        if self._page is None:
            # int(): SQLCipher answers this pragma with text
            self._page = int(self._connection().execute("PRAGMA page_size").fetchone()[0])
        return self._page

    def close(self) -> None:
        """A last checkpoint that empties the WAL (the writers have stopped), then close."""
        if self._con is None and not self.path.exists():
            return
        try:
            self.run("TRUNCATE")
        finally:
            with self._lock:
                if self._con is not None:
                    self._con.close()
                    self._con = None


def build_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class InboxMixin:
    """Messages a consumer has applied, so each is applied once."""

    __tablename__ = "inbox"
    message_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    consumed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WriteLockMixin:
    """One row every writer updates first (`serialize`), so writers that read what the
    previous one wrote apply one after another, on SQLite and across processes on
    PostgreSQL."""

    __tablename__ = "write_lock"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    counter: Mapped[int] = mapped_column(Integer, default=0)


async def serialize(session: AsyncSession, lock: type[WriteLockMixin]) -> int:
    """Take the write lock (held until this transaction ends) before reading anything.
    Returns the lock's counter, which grows with every writing transaction."""
    result = await session.execute(
        update(lock).where(lock.id == 1).values(counter=lock.counter + 1))
    if not result.rowcount:
        session.add(lock(id=1, counter=1))
        await session.flush()
    return (await session.execute(select(lock.counter).where(lock.id == 1))).scalar_one()


async def lock_counter(session: AsyncSession, lock: type[WriteLockMixin]) -> int:
    """The write lock's counter as last committed, read without taking the lock: every
    writing transaction up to it has committed, so what is read after holds its writes."""
    counter = (await session.execute(select(lock.counter).where(lock.id == 1))).scalar()
    return counter or 0


class Fenced(RuntimeError):
    """A newer writer has taken the fence: this one's transaction may not commit."""


class FencedWriteLockMixin(WriteLockMixin):
    """The write-lock row with a fencing epoch: each writer elected (services.common.lease)
    takes the next epoch, and every transaction it writes in must find that epoch still
    there (`check_fence`), so a deposed writer that wakes up cannot commit."""

    fence: Mapped[int] = mapped_column(Integer, default=0)
    holder: Mapped[str | None] = mapped_column(String(200))  # the replica holding it


async def take_fence(session: AsyncSession, lock: type[FencedWriteLockMixin],
                     holder: str) -> int:
    """The next epoch, for a newly elected writer. Its update waits for a writing
    transaction still open (the last writer's, on the same row or SQLite's one write
    lock); once committed, no transaction of an older epoch can commit."""
    result = await session.execute(
        update(lock).where(lock.id == 1).values(fence=lock.fence + 1, holder=holder,
                                                counter=lock.counter + 1))
    if not result.rowcount:
        session.add(lock(id=1, counter=1, fence=1, holder=holder))
        await session.flush()
    return (await session.execute(select(lock.fence).where(lock.id == 1))).scalar_one()


async def check_fence(session: AsyncSession, lock: type[FencedWriteLockMixin],
                      epoch: int) -> int:
    """Take the write lock (held until this transaction ends) if `epoch` is still the
    newest, else raise `Fenced`. Returns the lock's counter, as `serialize` does."""
    result = await session.execute(
        update(lock).where(lock.id == 1, lock.fence == epoch)
        .values(counter=lock.counter + 1))
    if not result.rowcount:
        raise Fenced(f"epoch {epoch} is no longer the newest")
    return (await session.execute(select(lock.counter).where(lock.id == 1))).scalar_one()


def run_migrations(migrations_dir: Path, database_url: str, revision: str = "head",
                   key: str | None = None) -> None:
    """Upgrade one service's database to head (or `revision`) with its own Alembic
    history; `key` opens a SQLite database with SQLCipher (migrations_env reads it from
    the config's attributes)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.attributes["database_key"] = key
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    parsed = make_url(database_url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(cfg, revision)
