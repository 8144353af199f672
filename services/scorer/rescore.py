"""Bulk re-score: apply the linker's export chunks with the vectorised core.

Each chunk is evaluated under every current rule of its level, compared with the stored
evaluations, and only what changed is written (set-based inserts, updates and deletes);
flags are raised and cleared exactly as the incremental path does (service.Changes), with
the same counts, scores, raised_at and agreements. A chunk applied twice changes nothing
the second time. A profile whose applied sequence (services.scorer.models.ProfileSequence)
is larger than the chunk's is skipped: a Profile message newer than the export's read was
applied first. The profiles the chunk changes take its sequence, so an older Profile
message applied after the chunk does not undo the change. One the chunk leaves as it was
keeps its sequence (writing a million unchanged rows would double a re-score): an older
Profile message still to come for it holds what the chunk held, or the linker publishes a
newer one after it (services/linker/export.py).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.common import retention as common
from services.common.db import utcnow
from services.scorer import bulk
from services.scorer import repository as repo
from services.scorer.rules import Compiled, StoredRule, blocked_by, window_start

log = logging.getLogger("tessera.scorer")

@dataclass
class Applied:
    flags: list[m.Flag] = field(default_factory=list)
    profiles: int = 0
    skipped: int = 0
    newer: set[str] = field(default_factory=set)  # skipped: a newer profile was applied
    written: int = 0
    finished: bool = False


def _old_arrays(rows: list, pos: dict[str, int], n: int) -> dict[str, np.ndarray]:
    """Stored state aligned with the chunk's profiles (rows of one rule, STATE_COLUMNS)."""
    old = {"exists": np.zeros(n, dtype=bool), "active": np.zeros(n, dtype=bool)}
    for name in ("indicators", "health", "non_health", "headlines", "version"):
        old[name] = np.zeros(n, dtype=np.int64)
    old["score"] = np.zeros(n, dtype=np.float64)
    old["next"] = np.full(n, bulk.NONE, dtype=np.int64)
    for name in ("area", "agreements"):
        old[name] = np.empty(n, dtype=object)
    if not rows:
        return old
    cols = list(zip(*rows, strict=True))
    at = np.fromiter(map(pos.__getitem__, cols[0]), dtype=np.int64, count=len(rows))
    old["exists"][at] = True
    for i, name in enumerate(("indicators", "health", "non_health", "headlines"), start=1):
        old[name][at] = cols[i]
    old["score"][at] = cols[5]
    old["active"][at] = np.array(cols[6], dtype=bool)
    old["area"][at] = cols[7]
    days = np.array(cols[8], dtype="datetime64[D]")
    old["next"][at] = np.where(np.isnat(days), bulk.NONE, days.astype(np.int64))
    old["version"][at] = cols[9]
    old["agreements"][at] = cols[10]
    return old


class BulkScorer:
    def __init__(self, today):
        self.today = today
        self.timings: dict[str, dict] = {}  # request id -> seconds spent per phase

    async def apply(self, session: AsyncSession, msg: m.ProfileExportChunk) -> Applied:
        now, today = utcnow(), self.today()
        out = Applied()
        clock = self.timings.setdefault(msg.request_id, {
            "since": time.monotonic(), "read": 0.0, "evaluate": 0.0, "write": 0.0})
        t0 = time.perf_counter()
        rescore = await repo.add_rescore(session, msg.request_id, [msg.level])
        chunk = bulk.decode(msg)
        rules = [r for r in await repo.current_rules(session) if r.level == chunk.level]
        newer = await repo.newer_than(session, chunk.level, msg.sequence)
        skip = np.fromiter((p in newer for p in chunk.pseudonyms), dtype=bool, count=chunk.n)
        out.newer = newer & set(chunk.pseudonyms)
        if chunk.n and rules:
            categories = await repo.categories_of(session, chunk.codes)
            optouts = (await repo.optouts_for_chunk(session, chunk.pseudonyms)
                       if chunk.level == "person" else {})
            pos = {p: i for i, p in enumerate(chunk.pseudonyms)}
            states = await repo.evaluation_states(session, chunk.pseudonyms,
                                                  [r.id for r in rules])
            olds = {r.id: _old_arrays(states[r.id], pos, chunk.n) for r in rules}
            t1 = time.perf_counter()
            clock["read"] += t1 - t0

            def before(i: int) -> set[str]:
                return {a for o in olds.values() for a in common.unpack(o["agreements"][i])}

            writes = Writes()
            for rule in rules:
                blocked = np.zeros(chunk.n, dtype=bool)
                for person, scopes in optouts.items():
                    if person in pos and blocked_by(rule, scopes):
                        blocked[pos[person]] = True
                await self._rule(session, rule, chunk, categories, blocked, olds[rule.id],
                                 skip, before, today, now, writes, out)
            t2 = time.perf_counter()
            clock["evaluate"] += t2 - t1
            await writes.apply(session)
            await repo.store_sequences(session, chunk.level,
                                       dict.fromkeys(writes.pseudonyms(), msg.sequence))
            out.written = writes.count
            clock["write"] += time.perf_counter() - t2
        out.profiles = chunk.n - int(skip.sum())
        out.skipped = int(skip.sum())
        await repo.record_chunk(session, msg.request_id, msg.level, msg.chunk,
                                msg.total_chunks if msg.last else None)
        rescore.profiles += out.profiles
        rescore.flags += len(out.flags)
        out.finished = await self._finish(session, rescore, now)
        log.info("re-score %s %s chunk %d: %d profiles, %d skipped, %d rows written, "
                 "%d flag changes", msg.request_id, msg.level, msg.chunk, out.profiles,
                 out.skipped, out.written, len(out.flags))
        return out

    async def _rule(self, session: AsyncSession, rule: StoredRule, chunk: bulk.Chunk,
                    categories, blocked, old, skip, before, today: date, now: datetime,
                    writes: Writes, out: Applied) -> None:
        c = bulk.count(chunk, Compiled(rule, categories).key, rule,
                       window_start(today, rule.window), today)
        clear = (blocked | ((c.indicators == 0) & (c.next_change == bulk.NONE))) & ~skip
        put = ~clear & ~skip
        active = bulk.holds(c, rule)
        points = bulk.scores(c, rule)
        table = np.empty(len(chunk.agreement_sets), dtype=object)
        table[:] = [common.pack(a) for a in chunk.agreement_sets]
        packed = table[chunk.agreement_at] if chunk.n else np.empty(0, dtype=object)
        was = old["exists"] & old["active"]
        moved = old["exists"] & ((old["indicators"] != c.indicators)
                                 | (old["health"] != c.health)
                                 | (old["non_health"] != c.non_health)
                                 | (old["headlines"] != c.headlines)
                                 | (old["score"] != points) | (old["area"] != chunk.areas))
        flag_put = put & ((active != was) | (active & moved))
        flag_clear = clear & was
        insert = put & ~old["exists"]
        update = put & old["exists"] & (moved | (old["active"] != active)
                                        | (old["version"] != rule.version)
                                        | (old["next"] != c.next_change)
                                        | (old["agreements"] != packed))
        raising = active & ~was  # raised_at becomes now; otherwise it stays as stored
        writes.deletes += [(chunk.pseudonyms[i], rule.id)
                           for i in np.flatnonzero(clear & old["exists"]).tolist()]
        for i in np.flatnonzero(insert | update).tolist():
            row = {"pseudonym": chunk.pseudonyms[i], "rule_id": rule.id,
                   "level": chunk.level, "area": chunk.areas[i],
                   "indicators": int(c.indicators[i]), "health": int(c.health[i]),
                   "non_health": int(c.non_health[i]), "headlines": int(c.headlines[i]),
                   "score": float(points[i]), "active": bool(active[i]),
                   "rule_version": rule.version, "evaluated_at": now,
                   "next_change": bulk.day_or_none(c.next_change[i]),
                   "agreements": packed[i]}
            if insert[i] or raising[i]:
                row["raised_at"] = now if raising[i] else None
            (writes.inserts if insert[i] else writes.raises if raising[i]
             else writes.updates).append(row)
        flagged = np.flatnonzero(flag_put | flag_clear).tolist()
        stored = await repo.raised_at_of(
            session, [chunk.pseudonyms[i] for i in flagged if was[i]], rule.id)
        for i in flagged:
            p = chunk.pseudonyms[i]
            agreements = set(chunk.agreement_sets[chunk.agreement_at[i]])
            if flag_clear[i]:
                counts = (old["indicators"][i], old["health"][i], old["non_health"][i],
                          old["headlines"][i], old["score"][i], old["area"][i], False)
            else:
                counts = (c.indicators[i], c.health[i], c.non_health[i], c.headlines[i],
                          points[i], chunk.areas[i], bool(active[i]))
            raised = (now if raising[i] else stored.get(p)) or now
            if not counts[6]:
                agreements |= before(i)
            out.flags.append(m.Flag.model_construct(
                pseudonym=p, level=chunk.level, rule_id=rule.id, rule_version=rule.version,
                purposes=list(rule.purposes), active=counts[6], score=float(counts[4]),
                indicators=int(counts[0]), health=int(counts[1]),
                non_health=int(counts[2]), headlines=int(counts[3]), area=counts[5],
                raised_at=raised, agreements=sorted(agreements)))

    async def _finish(self, session: AsyncSession, rescore, now: datetime) -> bool:
        if rescore.finished_at is not None:
            return True
        applied = await repo.chunks_applied(session, rescore.request_id)
        for level in rescore.levels.split():
            n, total = applied.get(level, (0, None))
            if total is None or n < total:
                return False
        rescore.finished_at = now
        await session.flush()
        clock = self.timings.pop(rescore.request_id, None)
        spent = (f"; in this process {time.monotonic() - clock['since']:.1f} s from the "
                 f"first chunk: reading {clock['read']:.1f} s, evaluating "
                 f"{clock['evaluate']:.1f} s, writing {clock['write']:.1f} s, the rest "
                 "decoding, committing and waiting") if clock else ""
        log.info("re-score %s finished: %d profiles, %d flag changes%s", rescore.request_id,
                 rescore.profiles, rescore.flags, spent)
        return True


class Writes:
    def __init__(self) -> None:
        self.inserts: list[dict] = []
        self.updates: list[dict] = []  # raised_at kept
        self.raises: list[dict] = []   # raised_at set
        self.deletes: list[tuple[str, str]] = []

    @property
    def count(self) -> int:
        return len(self.inserts) + len(self.updates) + len(self.raises) + len(self.deletes)

    def pseudonyms(self) -> set[str]:
        """The pseudonyms whose evaluations these writes change."""
        return ({r["pseudonym"] for rows in (self.inserts, self.updates, self.raises)
                 for r in rows} | {p for p, _ in self.deletes})

    async def apply(self, session: AsyncSession) -> None:
        await repo.delete_evaluations(session, self.deletes)
        await repo.insert_rows(session, self.inserts)
        await repo.update_rows(session, self.updates)
        await repo.update_rows(session, self.raises)

