"""The scorer under data-sharing agreements: evaluations and flags carry their agreements.

Each evaluation keeps the agreements that supplied its profile's events, and each flag
says which they were (reidentify limits unlocks to their purposes). Evaluations of an
ended agreement go at once, with their flags cleared; the retention sweep deletes an
evaluation last made longer ago than one of its agreements' retention periods (every
event it counted from that agreement has expired). The linker resends the profiles it
purges, so what remains under other agreements is scored again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import bus, erasure, subjects
from services.common import messages as m
from services.common import retention as common
from services.common.db import utcnow
from services.common.repository import chunks
from services.common.runtime import Runtime
from services.scorer import repository as repo
from services.scorer.models import Agreement, Evaluation
from services.scorer.repository import serialize
from services.scorer.service import counts_of, flag

log = logging.getLogger("tessera.scorer")


async def prior(session: AsyncSession, pseudonyms: Iterable[str]) -> dict[str, set[str]]:
    """Pseudonym -> the agreements of its stored evaluations (before a change)."""
    out: dict[str, set[str]] = {}
    for pseudonym, packed in await repo.evaluation_agreements(session, pseudonyms):
        out.setdefault(pseudonym, set()).update(common.unpack(packed))
    return out


async def record(session: AsyncSession, batch: m.ProfileBatch) -> dict[str, set[str]]:
    """Store each profile's agreements on its evaluations; pseudonym -> agreements."""
    latest = {p.pseudonym: set(p.agreements) for p in batch.profiles}
    groups: dict[str | None, list[str]] = {}
    for pseudonym, agreements in latest.items():
        groups.setdefault(common.pack(agreements), []).append(pseudonym)
    for packed, names in groups.items():
        await repo.set_evaluation_agreements(session, names, packed)
    return latest


def stamp(flags: list[m.Flag], now: dict[str, set[str]], before: dict[str, set[str]]
          ) -> list[m.Flag]:
    """Active flags name their profile's agreements; cleared ones also those they had."""
    out = []
    for f in flags:
        agreements = set(now.get(f.pseudonym, set()))
        if not f.active:
            agreements |= before.get(f.pseudonym, set())
        out.append(f.model_copy(update={"agreements": sorted(agreements)}))
    return out


class Retention:
    def __init__(self, rt: Runtime, clock: Callable[[], datetime], per_message: int = 500):
        self.rt = rt
        self.clock = clock
        self.per_message = per_message

    async def _delete(self, session: AsyncSession, condition) -> int:
        """Delete matching evaluations; clear the active ones' flags (with their agreements)."""
        rules = {r.id: r for r in await repo.current_rules(session)}
        rows = await repo.evaluations_where(session, condition)
        now, flags = utcnow(), []
        for e in rows:
            rule = rules.get(e.rule_id)
            if e.active and rule is not None:
                flags.append(flag(rule, e.pseudonym, e.level, e.area, counts_of(e), e.score,
                                  False, e.raised_at or now).model_copy(
                                      update={"agreements": common.unpack(e.agreements)}))
        await repo.delete_evaluations_where(session, condition)
        for part in chunks(flags, max(1, self.per_message)):
            self.rt.outbox.add(session, subjects.FLAGS, m.FlagBatch(flags=part))
        return len(rows)

    async def notice(self, session: AsyncSession, message: m.AgreementNotice,
                     delivery: bus.Delivery) -> None:
        await serialize(session)
        stored = await common.store_notice(session, Agreement, message)
        if stored.changed and stored.ended:
            n = await self._delete(session, common.holds(Evaluation.agreements,
                                                         message.agreement))
            codes = await repo.delete_events_under(session, message.agreement)
            log.info("agreement %s ended: %d evaluations, %d cohort codes deleted",
                     message.agreement, n, codes)
            await erasure.agreement_ended(self.rt, session, message.agreement,
                                          {"evaluations": n, "cohort_codes": codes})

    async def sweep(self, as_of: datetime | None = None) -> int:
        now = as_of or self.clock()
        async with self.rt.sessionmaker() as session, session.begin():
            await serialize(session)
            condition = await common.expired(
                session, Agreement, now,
                held_under=lambda a: common.holds(Evaluation.agreements, a),
                received=Evaluation.evaluated_at)
            if condition is None:
                return 0
            deleted = await self._delete(session, condition)
            await erasure.swept(self.rt, session, Agreement, now, {"evaluations": deleted})
        if deleted and self.rt.relay:
            self.rt.relay.wake()
        if deleted:
            log.info("retention sweep: %d evaluations deleted", deleted)
        return deleted

    async def holdings(self, session: AsyncSession, agreement: str) -> dict[str, int]:
        n, active = await repo.holdings_of(session, agreement)
        return {"evaluations": int(n), "active_flags": int(active)}

    async def subject(self, session: AsyncSession, pseudonym: str) -> dict:
        rows = await repo.evaluations_of_pseudonym(session, pseudonym)
        return {"evaluations": [{
            "rule_id": e.rule_id, "rule_version": e.rule_version, "level": e.level,
            "area": e.area, "indicators": e.indicators, "health": e.health,
            "non_health": e.non_health, "headlines": e.headlines, "score": e.score,
            "active": e.active, "raised_at": e.raised_at, "evaluated_at": e.evaluated_at,
            "agreements": common.unpack(e.agreements)} for e in rows],
            "cohorts": _plain(await repo.cohort_of_pseudonym(session, pseudonym))}


def _plain(held: dict[str, list]) -> dict[str, list[dict]]:
    """Each cohort row as its columns (what the scorer holds about one pseudonym)."""
    return {name: [{c.key: getattr(row, c.key) for c in row.__mapper__.column_attrs}
                   for row in rows] for name, rows in held.items()}
