"""The pseudonymiser's side of every release: which requests it answers, and its own ledger.

A request to release an identity is answered only when reidentify sent it (the
bus checks that), names an access-log entry never answered before (remembered in memory
for ``max_age_s``, and looked up in the ledger beyond that), and was issued within
``max_age_s``. Each release is written to the ``releases`` table: access id, pseudonym,
level, partner and how many identities or local IDs went out, never the identities.
reidentify's verify-log reads this ledger back (``tessera.pseudonymiser.releases``) and
flags any release the access log does not account for.

The reply goes first and the ledger row follows in a group commit (every
``LINGER_S``), because an unlock must not wait behind a linkage transaction that holds
the database's write lock for seconds. A row still queued when the process is killed is
lost; the single-use rule survives a restart (the ids released within ``max_age_s`` are
read back at start-up).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections import deque
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common import messages as m
from services.common.db import utcnow
from services.pseudonymiser import repository as repo
from services.pseudonymiser.identity import Answer

log = logging.getLogger("tessera.pseudonymiser.releases")

LEEWAY_S = 5.0  # clocks of two hosts may differ this much
# releases queued this long are written together: one small transaction each time
# would cost a commit an unlock
LINGER_S = 0.1


class Releases:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], max_age_s: float = 30.0,
                 sqlite_path: str | None = None):
        self.sessionmaker = sessionmaker
        self.engine = sessionmaker.kw["bind"]
        self.max_age_s = max_age_s
        # SQLite: the ledger looked up on a read-only connection on the event loop (a
        # primary-key read takes microseconds; a thread hand-off would cost more)
        self._reader = LedgerReader(sqlite_path) if sqlite_path else None
        self._seen: set[int] = set()  # access ids answered recently
        self._order: deque[tuple[float, int]] = deque()  # (monotonic time seen, id)
        self._pending: list[dict] = []
        self._writer: asyncio.Task | None = None

    async def load(self) -> None:
        """The ids released recently (so a replay straight after a restart is refused)."""
        since = utcnow() - timedelta(seconds=self.max_age_s + LEEWAY_S)
        async with self.sessionmaker() as session:
            ids = await repo.released_since(session, since)
        now = time.monotonic()
        for access_id in ids:
            self._remember(access_id, now)

    async def admit(self, request: m.ReidentifyRequest,
                    now: datetime | None = None) -> str | None:
        """None when the request may be answered; else why not ("stale", "replayed")."""
        age = ((now or utcnow()) - request.issued_at).total_seconds()
        if age > self.max_age_s or age < -LEEWAY_S:
            return "stale"
        if request.access_id in self._seen or await self._released(request.access_id):
            return "replayed"
        self._remember(request.access_id, time.monotonic())
        return None

    async def _released(self, access_id: int) -> bool:
        """In the ledger already (an id older than the memory, sent again)?"""
        found = self._reader.released(access_id) if self._reader is not None else None
        if found is None:
            async with self.sessionmaker() as session:
                found = await repo.was_released(session, access_id)
        return found

    def _remember(self, access_id: int, now: float) -> None:
        self._seen.add(access_id)
        self._order.append((now, access_id))
        horizon = now - self.max_age_s - 2 * LEEWAY_S
        while self._order and self._order[0][0] < horizon:  # too old to be replayed now
            self._seen.discard(self._order.popleft()[1])

    def record(self, request: m.ReidentifyRequest, answer: Answer) -> None:
        """Queue the ledger row for this release (written in the background)."""
        self._pending.append({
            "access_id": request.access_id, "pseudonym": request.pseudonym,
            "level": request.level, "partner": request.partner,
            "subjects": len(answer.subjects), "local_ids": len(answer.local_ids),
            "issued_at": request.issued_at, "released_at": utcnow()})
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._drain())

    async def flush(self) -> None:
        """Wait until every queued row is written (shutdown, tests)."""
        while self._pending or (self._writer is not None and not self._writer.done()):
            if self._writer is None or self._writer.done():
                self._writer = asyncio.get_running_loop().create_task(self._drain())
            await asyncio.shield(self._writer)

    async def _drain(self) -> None:
        while self._pending:
            await asyncio.sleep(LINGER_S)
            rows, self._pending = self._pending, []
            try:
                await self._write(rows)
            except Exception as exc:  # kept for the next attempt
                log.warning("release ledger: %d rows not written yet (%s)", len(rows),
                            type(exc).__name__)
                self._pending[:0] = rows
                await asyncio.sleep(1.0)

    async def _write(self, rows: list[dict]) -> None:
        try:
            async with self.engine.begin() as conn:
                await repo.insert_releases(conn, rows)
        except IntegrityError:  # an access id released twice: keep the first, say so
            for row in rows:
                try:
                    async with self.engine.begin() as conn:
                        await repo.insert_releases(conn, [row])
                except IntegrityError:
                    log.error("release ledger: access id %d was already released",
                              row["access_id"])

    async def page(self, query: m.ReleasesQuery) -> m.ReleasesPage:
        async with self.sessionmaker() as session:
            rows = await repo.releases_after(session, query.after, query.limit)
        return m.ReleasesPage(releases=[m.Release(
            access_id=r.access_id, pseudonym=r.pseudonym, level=r.level, partner=r.partner,
            issued_at=r.issued_at, released_at=r.released_at) for r in rows])

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()


class LedgerReader:
    """``releases`` looked up by access id on a read-only SQLite connection."""

    def __init__(self, path: str):
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def released(self, access_id: int) -> bool | None:
        """Whether the id is in the ledger; None when SQLite could not say (fall back)."""
        try:
            if self._conn is None:
                uri = f"{Path(self.path).resolve().as_uri()}?mode=ro"
                self._conn = sqlite3.connect(uri, uri=True, timeout=0.05,
                                             isolation_level=None, check_same_thread=False)
            row = self._conn.execute("SELECT 1 FROM releases WHERE access_id = ?",
                                     (access_id,)).fetchone()
        except sqlite3.Error:
            self.close()
            return None
        return row is not None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
