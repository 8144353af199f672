"""Appending to the hash-chained access log, with group commit, from any number of
processes.

Concurrent appends are queued; one writer task takes every queued entry, chains
them onto the head in seq order and commits them in one transaction, then wakes
each caller with its own committed row. Under load this turns N serialised
transactions into a few, which is what keeps the unlock latency flat.

Every batch is written holding the log's lock (SQLite's write lock, or a PostgreSQL
advisory lock), so the processes of a slice append one after another to one chain that
never forks. Under the lock the writer first reads whatever other processes appended
since it last held it: the chain continues from the true head, and those entries count
in their callers' rate windows (``policy.py``) before the batch's attempts are admitted
or refused for rate. On SQLite the writer has a connection and a thread of its own: a
batch costs two hand-offs to that thread (lock and read; write and commit) instead of a
pooled transaction's five or six.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import (
    SQLITE_INTEGRITY_ERRORS,
    engine_key,
    sqlite_path,
    sqlite_writer,
    utcnow,
)
from services.reidentify import repository
from services.reidentify.chain import FIELDS, GENESIS, OPTIONAL, entry_hash
from services.reidentify.policy import HOUR, PolicyState

# a writer outside the lock (a process of an earlier release during an upgrade) may still
# take a seq first: the batch is chained again after its entries
ATTEMPTS = 3


class Entry(SimpleNamespace):
    """A committed entry: the columns of ``AccessEntry`` as attributes (seq, hash, ...)."""


COLUMNS = FIELDS + OPTIONAL  # every append carries the same keys (one executemany)


class Ledger:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], policy: PolicyState,
                 max_batch: int = 500):
        self.sessionmaker = sessionmaker
        self.engine = sessionmaker.kw["bind"]
        self.policy = policy  # the rate windows, decided and kept under the lock
        self.max_batch = max_batch
        self._pending: list[tuple[dict, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None
        # (seq, hash) of the newest entry this process has counted: its own, or another's
        # read under the lock
        self._head: tuple[int, str] | None = None
        # SQLite: a connection and a thread of the writer's own
        self._sqlite_file = sqlite_path(str(self.engine.url))
        self._con = None
        self._thread: ThreadPoolExecutor | None = None

    async def close(self) -> None:
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)
        if self._thread is not None:
            if self._con is not None:
                await self._on_thread(self._con.close)
                self._con = None
            self._thread.shutdown(wait=True)
            self._thread = None

    async def append(self, fields: dict) -> Entry:
        """Append one entry; returns once it is committed (also if the caller is cancelled,
        the entry is still written: every attempt is logged). An entry with ``limit`` set
        is an attempt the rate limits: if its caller has used the rate, it is written as a
        refusal for rate instead (``reason`` of the returned entry)."""
        future = asyncio.get_running_loop().create_future()
        self._pending.append((fields, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain(), name="reidentify-ledger")
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[:self.max_batch]
            del self._pending[:self.max_batch]
            try:
                rows = await self._write([fields for fields, _ in batch])
            except Exception as exc:  # every waiting caller sees the failure
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), row in zip(batch, rows, strict=True):
                if not future.done():
                    future.set_result(row)

    async def _write(self, entries: list[dict]) -> list[Entry]:
        for attempt in range(ATTEMPTS):
            try:
                if self._sqlite_file is not None:
                    values = await self._append_sqlite(entries)
                else:
                    values = await self._append_core(entries)
                self._head = (values[-1]["seq"], values[-1]["hash"])
                self.policy.committed(values)
                return [Entry(**row) for row in values]
            except (IntegrityError, *SQLITE_INTEGRITY_ERRORS):
                if attempt == ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    # --- under the lock ------------------------------------------------------------------

    def _caught_up(self, head: tuple[int, str] | None, appended: list[dict]) -> None:
        """What other processes appended since this one last held the lock: the head
        moves past it and its attempts count in their callers' windows."""
        if head is not None:
            self._head = head
        elif appended:
            self._head = (appended[-1]["seq"], appended[-1]["hash"])
            self.policy.committed(appended)
        elif self._head is None:
            self._head = (0, GENESIS)

    def _unread(self, entries: list[dict]) -> set[str]:
        return self.policy.unread({e["sub"] for e in entries if e.get("limit")})

    def _chain(self, entries: list[dict]) -> list[dict]:
        """The entries' rows, admitted for rate, numbered and chained after the head."""
        seq, prev = self._head
        now = utcnow()
        refused = self.policy.admit(entries, now)
        values = []
        for index, fields in enumerate(entries):
            seq += 1
            entry = {k: fields.get(k) for k in COLUMNS}
            if index in refused:
                entry.update(outcome="refused", reason="rate", rule_id=None)
            entry.update(seq=seq, at=now)
            digest = entry_hash(prev, entry)
            values.append({**entry, "prev_hash": prev, "hash": digest})
            prev = digest
        return values

    async def _append_core(self, entries: list[dict]) -> list[dict]:
        # a connection, not a Session: no unit of work for an append-only table
        async with self.engine.begin() as conn:
            await repository.lock_log(conn)
            if self._head is None:
                self._caught_up(await repository.log_head_link(conn) or (0, GENESIS), [])
            else:
                self._caught_up(None, await repository.appended_since(conn, self._head[0]))
            since = utcnow() - HOUR
            for sub in self._unread(entries):
                self.policy.hold_window(sub, await repository.recent_attempts(
                    conn, sub, since, self.policy.rate_per_hour))
            values = self._chain(entries)
            await repository.insert_entries(conn, values)  # one executemany
        return values

    # --- SQLite: on the writer's own thread ------------------------------------------------

    async def _on_thread(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    def _open(self) -> None:
        self._con = sqlite_writer(self._sqlite_file, engine_key(self.engine))

    def _begin(self, after: int | None, subs: set[str]):
        """Take the write lock; the head or what was appended after `after`; the windows
        of `subs`, all in the one transaction."""
        if self._con is None:
            self._open()
        con = self._con
        repository.lock_log_sqlite(con)
        try:
            if after is None:
                head, appended = repository.log_head_link_sqlite(con) or (0, GENESIS), []
            else:
                head, appended = None, repository.appended_since_sqlite(con, after)
            return head, appended, self._windows(subs)
        except BaseException:
            repository.end_sqlite(con)
            raise

    def _windows(self, subs: set[str]) -> dict[str, list]:
        since = utcnow() - HOUR
        return {sub: repository.recent_attempts_sqlite(self._con, sub, since,
                                                       self.policy.rate_per_hour)
                for sub in subs}

    def _commit(self, values: list[dict]) -> None:
        try:
            repository.insert_entries_sqlite(self._con, values)
        except BaseException:
            repository.end_sqlite(self._con)
            raise

    async def _append_sqlite(self, entries: list[dict]) -> list[dict]:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="reidentify-ledger")
        began = False
        try:
            head, appended, windows = await self._on_thread(
                self._begin, None if self._head is None else self._head[0],
                self._unread(entries))
            began = True
            self._caught_up(head, appended)
            while True:
                for sub, newest in windows.items():
                    self.policy.hold_window(sub, newest)
                unread = self._unread(entries)  # a window forgotten while the lock was taken
                if not unread:
                    break
                windows = await self._on_thread(self._windows, unread)
            values = self._chain(entries)
            await self._on_thread(self._commit, values)
            return values
        except BaseException:
            if began:  # queued behind whatever runs on the thread: the lock is let go
                self._thread.submit(repository.end_sqlite, self._con)
            raise
