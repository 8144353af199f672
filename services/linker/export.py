"""Bulk re-score exports: every profile of a level, in columnar chunks, to the scorer.

The scorer asks with a RepublishRequest (`all` and `export`); the handler stores one job
per level (profile_exports) and acknowledges. The exporter runs the jobs: one streaming
query per level, grouped and ordered by pseudonym (codes and days aggregated in SQL, so a
row is a profile, not an event), cut into chunks of `per_chunk` profiles. Each chunk is
published straight to JetStream (it is a read snapshot, nothing to commit with it) with a
Nats-Msg-Id made of the request, level, chunk number and a digest of the content; the
job's progress (next chunk, last pseudonym sent) is committed once JetStream has stored
the chunk. An interrupted export resumes after the last chunk sent: a chunk re-sent with
the same content is dropped as a duplicate, one with other content (the data or the
write lock's counter changed meanwhile) is applied again by the scorer, which is harmless (the same profile gives the
same evaluation, and flags are published only on a change).

Each chunk carries the write lock's committed counter read before anything of the export
(its `sequence`): every change up to it is in what the export reads, and a change after
it marks its profiles, whose next Profile message has a larger sequence. So the scorer
skips a chunk's profile older than a Profile message it applied, and the last profile
of a pseudonym, a chunk's or a message's, holds every change.

Chunks carry what Profile messages carry (pseudonym, area, codes, days, agreements) and
nothing else. Logs say counts and ids only.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import time

import numpy as np

from services.common import bus, subjects
from services.common import messages as m
from services.common.runtime import Runtime
from services.linker import repository as repo

log = logging.getLogger("tessera.linker")


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(array.tobytes()).decode()


class ChunkBuilder:
    """Turns grouped export rows into one ProfileExportChunk."""

    def __init__(self, level: str, conflicts: set[str], sequence: int):
        self.level = level
        self.conflicts = conflicts
        self.sequence = sequence

    async def build(self, session, request_id: str, chunk: int, rows: list,
                    last: bool) -> m.ProfileExportChunk:
        n = len(rows)
        pseudonyms = [r[0] for r in rows]
        counts = np.fromiter((r[1] for r in rows), dtype=np.int64, count=n)
        offsets = np.zeros(n + 1, dtype="<i4")
        np.cumsum(counts, out=offsets[1:])
        items = repo.SEP.join(r[2] for r in rows).split(repo.SEP) if n else []
        table = {c: i for i, c in enumerate(sorted(set(items)))}
        codes = np.fromiter(map(table.__getitem__, items), dtype="<u2", count=len(items))
        days_text = repo.SEP.join(r[3] for r in rows).split(repo.SEP) if n else []
        days = np.array(days_text, dtype="datetime64[D]").astype("<i4")
        if not (len(codes) == len(days) == int(offsets[-1])):
            raise ValueError("export rows are inconsistent")
        # areas: one per pseudonym, except movers (their latest assignment's area)
        moved = [p for p in pseudonyms if p in self.conflicts]
        latest = await repo.latest_areas(session, self.level, moved) if moved else {}
        area_table: dict[str | None, int] = {}
        areas = np.fromiter((area_table.setdefault(
            latest.get(r[0]) if r[0] in self.conflicts else r[4], len(area_table))
            for r in rows), dtype="<i4", count=n)
        # agreements: min and max name them all when there are at most two
        many = [r[0] for r in rows if r[5] > 2]
        found = await repo.agreements_of(session, self.level, many) if many else {}
        sets: dict[tuple[str, ...], int] = {}

        def agreements(r) -> tuple[str, ...]:
            if r[5] > 2:
                return tuple(sorted(found.get(r[0], ())))
            return tuple(sorted({a for a in (r[6], r[7]) if a is not None}))

        agreement_index = np.fromiter((sets.setdefault(agreements(r), len(sets)) for r in rows),
                                      dtype="<i4", count=n)
        return m.ProfileExportChunk.model_construct(
            request_id=request_id, level=self.level, chunk=chunk, sequence=self.sequence,
            last=last,
            total_chunks=chunk + 1 if last else None, pseudonyms=pseudonyms,
            codes=[tuple(c.split(repo.PAIR, 1)) for c in table], areas=list(area_table), agreement_sets=[list(s) for s in sets],
            offsets=_b64(offsets), event_codes=_b64(codes), event_days=_b64(days),
            profile_areas=_b64(areas), profile_agreements=_b64(agreement_index))


class Exporter:
    def __init__(self, rt: Runtime, per_chunk: int = 20_000):
        self.rt = rt
        self.per_chunk = max(1, per_chunk)
        self.chunks_sent = 0
        self.fail_after: int | None = None  # tests: interrupt once after this many

    async def run_pending(self) -> int:
        """Run every export job not yet done; returns how many chunks were sent."""
        sent = 0
        while True:
            async with self.rt.sessionmaker() as session:
                job = await repo.next_export(session)
            if job is None:
                return sent
            sent += await self.export(job.request_id, job.level, job.next_chunk, job.after,
                                      job.profiles)

    async def _publish(self, message: m.ProfileExportChunk) -> None:
        payload = bus.encode(message)  # a chunk is megabytes: encoded once
        digest = hashlib.blake2b(payload, digest_size=8).hexdigest()
        await self.rt.bus.publish(
            subjects.PROFILE_EXPORT, message, payload=payload,
            msg_id=f"export-{message.request_id}-{message.level}-{message.chunk}-{digest}")
        self.chunks_sent += 1
        if self.fail_after is not None and self.chunks_sent >= self.fail_after:
            # tests: a crash after JetStream stored the chunk, before the progress commit
            self.fail_after = None
            raise ConnectionError("export interrupted")

    async def _progress(self, request_id: str, level: str, message: m.ProfileExportChunk,
                        profiles: int) -> None:
        after = message.pseudonyms[-1] if message.pseudonyms else None
        async with self.rt.sessionmaker() as session, session.begin():
            await repo.export_progress(session, request_id, level, message.chunk + 1, after,
                                       profiles, message.last)

    async def _page(self, level: str, after: str | None) -> list:
        async with self.rt.sessionmaker() as session:
            return await repo.export_page(session, level, after, self.per_chunk)

    async def export(self, request_id: str, level: str, chunk: int = 0,
                     after: str | None = None, profiles: int = 0) -> int:
        """Send the level's profiles after `after`, from chunk number `chunk` on. Pages are
        read by keyset (pseudonym > the last one sent), the next page while this one is
        encoded (the database works on its own thread)."""
        started, sent = time.monotonic(), 0
        spent = {"database": 0.0, "encoding": 0.0, "publishing": 0.0}
        async with self.rt.sessionmaker() as side:
            sequence = await repo.committed_counter(side)
            builder = ChunkBuilder(level, await repo.area_conflicts(side, level), sequence)
            rows = await self._page(level, after)
            spent["database"] += time.monotonic() - started
            while True:
                following = (asyncio.create_task(self._page(level, rows[-1][0]))
                             if len(rows) == self.per_chunk else None)
                try:
                    t0 = time.monotonic()
                    message = await builder.build(side, request_id, chunk, rows, False)
                    t1 = time.monotonic()
                    more = await following if following is not None else []
                    spent["encoding"] += t1 - t0
                    spent["database"] += time.monotonic() - t1
                except BaseException:
                    if following is not None:
                        following.cancel()
                    raise
                if not more:
                    message = message.model_copy(update={"last": True,
                                                         "total_chunks": chunk + 1})
                t0 = time.monotonic()
                await self._publish(message)
                spent["publishing"] += time.monotonic() - t0
                profiles += len(rows)
                await self._progress(request_id, level, message, profiles)
                chunk, sent, rows = chunk + 1, sent + 1, more
                if not more:
                    break
        log.info("export %s %s: %d chunks, %d profiles in total, %.1f s (waiting for the "
                 "database %.1f s, encoding %.1f s, publishing %.1f s)", request_id, level,
                 sent, profiles, time.monotonic() - started, spent["database"],
                 spent["encoding"], spent["publishing"])
        return sent
