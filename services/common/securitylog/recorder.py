"""Appending security events: queued by the request that causes them, written in the
background in order, each chained to the one before.

Recording never waits on the database, so a caller's response is not held up by the
log; a writer task appends what has queued every moment, in one transaction. One
process writes a slice's log at a time (a second writer's rows would collide on seq
and be chained again after a re-read).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.chain import GENESIS, link
from services.common.db import utcnow
from services.common.securitylog.table import FIELDS, SecurityEventMixin
from services.common.tokens import Claims

log = logging.getLogger("tessera.securitylog")
MAX_QUEUED = 100_000  # beyond this (the database gone for long) events are counted, not kept


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str
    at: Any


def _cut(value: str | None, size: int) -> str | None:
    return None if value is None else value[:size]


class SecurityLog:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession],
                 model: type[SecurityEventMixin]):
        self.sessionmaker = sessionmaker
        self.model = model
        self._queue: deque[dict[str, Any]] = deque()
        self._wake = asyncio.Event()
        # one flush at a time: a reader's flush waits for the writer's batch in flight
        self._flushing = asyncio.Lock()
        self._last: Head | None = None
        self._known = False  # _last read from the database
        self.dropped = 0
        self.written = 0

    def record(self, kind: str, outcome: str, action: str, *, claims: Claims | None = None,
               sub: str | None = None, partner: str | None = None,
               agreement: str | None = None, target: str | None = None,
               status: int | None = None, detail: str | None = None) -> None:
        """Queue one event (never blocks). ``claims`` names who; the rest says what."""
        if len(self._queue) >= MAX_QUEUED:
            self.dropped += 1
            if self.dropped in (1, 10, 100) or self.dropped % 1000 == 0:
                log.error("security log queue full: %d events not recorded", self.dropped)
            return
        if claims is not None:
            sub = claims.sub
            partner = partner or claims.partner
        self._queue.append({
            "at": utcnow(), "kind": kind, "outcome": outcome, "sub": _cut(sub, 200),
            "roles": ",".join(sorted(claims.roles))[:200] if claims and claims.roles else None,
            "partner": _cut(partner, 100), "agreement": _cut(agreement, 100),
            "action": action[:200], "target": _cut(target, 300), "status": status,
            "detail": _cut(detail, 300)})
        self._wake.set()

    async def head(self, session: AsyncSession) -> Head | None:
        row = (await session.execute(
            select(self.model).order_by(self.model.seq.desc()).limit(1))).scalar_one_or_none()
        return None if row is None else Head(row.seq, row.hash, row.at)

    async def flush(self) -> int:
        """Write every queued event, and wait for any being written; returns how many."""
        async with self._flushing:
            return await self._drain()

    async def _drain(self) -> int:
        taken = 0
        while self._queue:
            batch = [self._queue.popleft() for _ in range(min(len(self._queue), 500))]
            try:
                await self._append(batch)
            except IntegrityError:  # another writer moved the head: chain after it
                self._known = False
                await self._append(batch)
            except Exception:
                self._queue.extendleft(reversed(batch))  # kept for the next try
                raise
            taken += len(batch)
        return taken

    async def _append(self, batch: list[dict[str, Any]]) -> None:
        async with self.sessionmaker() as session, session.begin():
            if not self._known:
                self._last = await self.head(session)
            last = self._last
            seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
            rows = []
            for event in batch:
                seq += 1
                fields = {"seq": seq, **event}
                digest = link(prev, {k: fields[k] for k in FIELDS})
                rows.append(self.model(**fields, prev_hash=prev, hash=digest))
                prev = digest
            session.add_all(rows)
        self._last, self._known = Head(seq, prev, rows[-1].at), True
        self.written += len(rows)

    async def run(self) -> None:
        """The writer: append whatever has queued, until cancelled (then the rest)."""
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                try:
                    await self.flush()
                except Exception as exc:
                    log.warning("security events not yet written (%s); %d waiting",
                                type(exc).__name__, len(self._queue))
                    await asyncio.sleep(1.0)
                    self._wake.set()
        finally:
            if self._queue:
                try:
                    await asyncio.shield(self.flush())
                except Exception as exc:
                    log.error("%d security events lost at shutdown (%s)", len(self._queue),
                              type(exc).__name__)
