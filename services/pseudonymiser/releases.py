"""The pseudonymiser's side of every release: which requests it answers, and its own ledger.

A request to release an identity is answered only when reidentify sent it (the
bus checks that), was issued within ``max_age_s``, and names an access-log entry never
answered before. Access ids are the log's sequence numbers, so they grow with time: the
ids seen within ``max_age_s`` are remembered, and any id no greater than one that has
aged out of that memory (or than the newest in the ledger at start-up) is refused, since
a request issued now cannot name an entry that old. Every replica answers these
requests, so an id is also claimed in a NATS key-value bucket the replicas share
(``subjects.RELEASED``), kept as long as this memory keeps it: of two replicas asked the
same id, one answers. An error here refuses (fails closed). Each release is written to the ``releases`` table: access id, pseudonym, level,
partner and how many identities or local IDs went out, never the identities.
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
import time
from collections import deque
from datetime import datetime, timedelta

from nats.js.errors import KeyWrongLastSequenceError
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
                 claims=None):
        self.sessionmaker = sessionmaker
        self.engine = sessionmaker.kw["bind"]
        self.max_age_s = max_age_s
        # the replicas' shared claims on access ids (a nats-py KeyValue); None: this
        # process answers alone
        self.claims = claims
        self._floor = 0  # the highest id that aged out of memory: none at or below it
        self._seen: set[int] = set()  # access ids answered recently
        self._order: deque[tuple[float, int]] = deque()  # (monotonic time seen, id)
        self._pending: list[dict] = []
        self._writer: asyncio.Task | None = None

    async def load(self) -> None:
        """The ids released recently, and the newest before them (so a replay straight
        after a restart is refused)."""
        since = utcnow() - timedelta(seconds=self.max_age_s + LEEWAY_S)
        async with self.sessionmaker() as session:
            ids = await repo.released_since(session, since)
            self._floor = await repo.last_released_before(session, since)
        now = time.monotonic()
        for access_id in ids:
            self._remember(access_id, now)

    async def admit(self, request: m.ReidentifyRequest,
                    now: datetime | None = None) -> str | None:
        """None when the request may be answered; else why not ("stale", "replayed")."""
        age = ((now or utcnow()) - request.issued_at).total_seconds()
        if age > self.max_age_s or age < -LEEWAY_S:
            return "stale"
        if request.access_id in self._seen or request.access_id <= self._floor:
            return "replayed"
        if self.claims is not None:
            try:  # raises on any other failure: the request goes unanswered
                await self.claims.create(str(request.access_id), b"",
                                         msg_ttl=self.max_age_s + 2 * LEEWAY_S)
            except KeyWrongLastSequenceError:
                return "replayed"  # another replica answered it
        self._remember(request.access_id, time.monotonic())
        return None

    def _remember(self, access_id: int, now: float) -> None:
        self._seen.add(access_id)
        self._order.append((now, access_id))
        horizon = now - self.max_age_s - 2 * LEEWAY_S
        while self._order and self._order[0][0] < horizon:  # too old to be replayed now
            old = self._order.popleft()[1]
            self._seen.discard(old)
            self._floor = max(self._floor, old)

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


