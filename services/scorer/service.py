"""The scorer's logic: evaluate profiles, raise and clear flags, obey opt-outs, re-evaluate.

No SQL here (see repository.py). Flags carry counts, never codes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.common.db import utcnow
from services.scorer import repository as repo
from services.scorer.models import Evaluation
from services.scorer.rules import (
    Compiled,
    Counts,
    StoredRule,
    blocked_by,
    holds,
    next_change,
    score,
    window_start,
)

log = logging.getLogger("tessera.scorer")

OPTOUT_SCOPES = ("all", "purpose:")


def utc_today() -> date:
    return datetime.now(UTC).date()


def flag(rule: StoredRule, pseudonym: str, level: str, area: str | None, c: Counts,
         points: float, active: bool, raised_at: datetime) -> m.Flag:
    return m.Flag(pseudonym=pseudonym, level=level, rule_id=rule.id, rule_version=rule.version,
                  purposes=rule.purposes, active=active, score=points,
                  indicators=c.indicators, health=c.health, non_health=c.non_health,
                  headlines=c.headlines, area=area, raised_at=raised_at)


def counts_of(e: Evaluation) -> Counts:
    return Counts(e.indicators, e.health, e.non_health, e.headlines)


class Changes:
    """What one transaction does to evaluations, and the flags to publish."""

    def __init__(self) -> None:
        self.inserts: list[dict] = []
        self.updates: list[dict] = []
        self.deletes: list[tuple[str, str]] = []
        self.flags: list[m.Flag] = []

    def clear(self, rule: StoredRule, old: Evaluation | None, now: datetime) -> None:
        if old is None:
            return
        self.deletes.append((old.pseudonym, old.rule_id))
        if old.active:
            self.flags.append(flag(rule, old.pseudonym, old.level, old.area, counts_of(old),
                                   old.score, False, old.raised_at or now))

    def put(self, rule: StoredRule, pseudonym: str, level: str, area: str | None, c: Counts,
            old: Evaluation | None, now: datetime, next_on: date | None = None) -> None:
        active = holds(c, rule.conditions)
        points = score(c, rule.weights)
        was = bool(old and old.active)
        raised_at = (old.raised_at if was and active else now if active
                     else (old.raised_at if old else None))
        row = {"pseudonym": pseudonym, "rule_id": rule.id, "level": level, "area": area,
               "indicators": c.indicators, "health": c.health, "non_health": c.non_health,
               "headlines": c.headlines, "score": points, "active": active,
               "rule_version": rule.version, "raised_at": raised_at, "evaluated_at": now,
               "next_change": next_on}
        (self.updates if old is not None else self.inserts).append(row)
        changed = old is not None and (counts_of(old) != c or old.score != points
                                       or old.area != area)
        if active != was or (active and changed):
            self.flags.append(flag(rule, pseudonym, level, area, c, points, active,
                                   raised_at or now))

    async def apply(self, session: AsyncSession) -> None:
        await repo.delete_evaluations(session, self.deletes)
        await repo.insert_evaluations(session, self.inserts)
        await repo.update_evaluations(session, self.updates)


async def newer_profiles(session: AsyncSession, batch: m.ProfileBatch) -> m.ProfileBatch:
    """The batch's profiles not older than the one applied of their pseudonym and level
    (the largest sequence of each), their sequences stored: two processes may apply two
    profiles of one person in either order, and the older one applied last changes
    nothing."""
    latest: dict[tuple[str, str], m.Profile] = {}
    for p in batch.profiles:
        kept = latest.get((p.level, p.pseudonym))
        if kept is None or p.sequence >= kept.sequence:
            latest[(p.level, p.pseudonym)] = p
    newer: list[m.Profile] = []
    for level in ("person", "household"):
        mine = {p.pseudonym: p for (lv, _), p in latest.items() if lv == level}
        stored = await repo.profile_sequences(session, level, mine)
        fresh = {name: p for name, p in mine.items() if p.sequence >= stored.get(name, 0)}
        await repo.store_sequences(session, level, {
            name: p.sequence for name, p in fresh.items() if p.sequence != stored.get(name)})
        newer += fresh.values()
    if len(newer) < len(latest):
        log.info("profiles: %d older than those applied, ignored", len(latest) - len(newer))
    return m.ProfileBatch.model_construct(profiles=newer)


class Scorer:
    def __init__(self, today: Callable[[], date] = utc_today):
        self.today = today

    async def profiles(self, session: AsyncSession, batch: m.ProfileBatch) -> Changes:
        changes = Changes()
        rules = await repo.current_rules(session)
        latest: dict[tuple[str, str], m.Profile] = {}
        for p in batch.profiles:
            latest[(p.level, p.pseudonym)] = p  # a later profile in the batch wins
        wanted = [r for r in rules if any(p.level == r.level for p in latest.values())]
        if not wanted:
            return changes
        profiles = list(latest.values())
        categories = await repo.categories_of(
            session, {(e.dataset, e.code) for p in profiles for e in p.events})
        optouts = await repo.optouts_of(
            session, {p.pseudonym for p in profiles if p.level == "person"})
        existing = await repo.evaluations_of(
            session, {p.pseudonym for p in profiles}, [r.id for r in wanted])
        today, now = self.today(), utcnow()
        for rule in wanted:
            start = window_start(today, rule.window)
            compiled = Compiled(rule, categories)
            for p in profiles:
                if p.level != rule.level:
                    continue
                old = existing.get((p.pseudonym, rule.id))
                c, oldest, future = compiled.evaluate(
                    (((e.dataset, e.code), e.occurred_on) for e in p.events), start, today)
                next_on = next_change(rule, oldest, future)
                blocked = p.level == "person" and blocked_by(rule, optouts.get(p.pseudonym, set()))
                if blocked or (c.indicators == 0 and next_on is None):
                    changes.clear(rule, old, now)
                else:
                    changes.put(rule, p.pseudonym, p.level, p.area, c, old, now, next_on)
        await changes.apply(session)
        log.info("profiles: %d evaluated, %d flag changes", len(profiles), len(changes.flags))
        return changes

    async def decision(self, session: AsyncSession, d: m.ConsentDecision) -> Changes:
        changes = Changes()
        if not d.effective or not (d.scope == "all" or d.scope.startswith("purpose:")):
            return changes
        if not await repo.apply_decision(session, d):
            log.info("decision %s: older than the one applied, ignored", d.decision_id)
            return changes
        if d.status != "opt_out":
            log.info("decision %s: opt-out lifted", d.decision_id)
            return changes
        rules = [r for r in await repo.current_rules(session) if blocked_by(r, {d.scope})]
        existing = await repo.evaluations_of(session, [d.person], [r.id for r in rules])
        now = utcnow()
        for rule in rules:
            changes.clear(rule, existing.get((d.person, rule.id)), now)
        await changes.apply(session)
        log.info("decision %s: opt-out applied, %d flags cleared", d.decision_id,
                 len(changes.flags))
        return changes

    async def reevaluate(self, session: AsyncSession, rule: StoredRule,
                         previous: StoredRule | None) -> Changes:
        """Apply a new rule version to the stored counts (thresholds and weights)."""
        changes = Changes()
        now = utcnow()
        for old in await repo.evaluations_of_rule(session, rule.id):
            if previous is not None and previous.level != rule.level:
                changes.clear(rule, old, now)
            else:
                changes.put(rule, old.pseudonym, old.level, old.area, counts_of(old), old, now,
                            old.next_change)
        await changes.apply(session)
        log.info("rule %s v%d: %d flag changes", rule.id, rule.version, len(changes.flags))
        return changes

    async def due(self, session: AsyncSession, limit: int) -> list[m.ProfileRef]:
        """Profiles whose counts change by today although no event arrived (ageing out)."""
        due = await repo.take_due(session, self.today(), limit)
        if due:
            log.info("sweep: %d profiles due for re-evaluation", len(due))
        return [m.ProfileRef(pseudonym=p, level=level) for p, level in due]


async def store_categories(session: AsyncSession, catalogue: m.CodeCatalogue) -> int:
    """Store a dataset's categories; returns how many known codes changed category or
    headline (counts already stored may then be wrong: the caller re-scores)."""
    latest = {c.code: c for c in catalogue.codes}
    known = await repo.categories_of(session, [(catalogue.dataset, c) for c in latest])
    changed = sum(1 for code, c in latest.items() if (catalogue.dataset, code) in known
                  and known[(catalogue.dataset, code)] != (c.category, c.headline))
    await repo.upsert_categories(session, [
        {"code": c.code, "category": c.category, "headline": c.headline,
         "dataset": catalogue.dataset, "partner": catalogue.partner}
        for c in latest.values()], known=known)
    log.info("codes: %d categories from dataset %s, %d changed", len(latest),
             catalogue.dataset, changed)
    return changed
