"""Cohorts: who joins when first flagged under a rule with outcome measures, their dated
codes kept current from each profile, and their re-measurement at every month end.

No SQL here (repository.py). A cohort member is a pseudonym with codes and dates, never
an identity; only the codes its rules count or its measures name are kept
(docs/outcomes.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.common import retention as common
from services.common.db import utcnow
from services.scorer import measures
from services.scorer import repository as repo
from services.scorer.models import CohortEvent
from services.scorer.rules import CodeKey, Compiled, StoredRule

log = logging.getLogger("tessera.scorer")

IDENTIFIED = "identified"
SYSTEM = "tessera-scorer"  # who moves a family into the cohort


def utc_today() -> date:
    return datetime.now(UTC).date()


def last_ended_month(today: date) -> str:
    """The latest month that has ended by `today` (a month is measured once it has)."""
    return measures.month_of(today.replace(day=1) - timedelta(days=1))


def as_events(rows: Iterable[CohortEvent]) -> list[measures.Event]:
    return [((r.dataset, r.code), r.occurred_on) for r in rows]


def _kept(rule: StoredRule, compiled: Compiled, key: CodeKey) -> bool:
    """Whether a cohort member of this rule keeps this code: the rule counts it or one of
    its measures names it."""
    if key in compiled.key:
        return True
    return any(measures.named([*x.none, *x.every_month, *x.had_codes], key)
               for x in rule.outcomes.measures)


@dataclass
class Tracked:
    joined: int = 0
    refreshed: int = 0


class Cohorts:
    def __init__(self, today: Callable[[], date], clock: Callable[[], date] = utc_today):
        self.today = today  # the scorer's day: the day a family is identified
        self.clock = clock  # real time: which months have ended and can be measured

    async def track(self, session: AsyncSession, profiles: Iterable[m.Profile]) -> Tracked:
        """After these profiles' evaluations are written: enrol each pseudonym flagged
        under a rule with outcomes that is not yet in its cohort, and keep every member's
        dated codes as its latest profile has them."""
        out = Tracked()
        latest = {p.pseudonym: p for p in profiles}
        levels = {p.level for p in latest.values()}
        rules = {r.id: r for r in await repo.current_rules(session)
                 if r.outcomes and r.level in levels}
        if not rules or not latest:
            return out
        members = await repo.members_of(session, latest)
        active = await repo.active_scores(session, latest, list(rules))
        raised = {(rule_id, p): score for (p, rule_id), score in active.items()
                  if (rule_id, p) not in members}
        rules_of: dict[str, set[str]] = {}
        for rule_id, pseudonym in [*members, *raised]:
            if rule_id in rules:
                rules_of.setdefault(pseudonym, set()).add(rule_id)
        if not rules_of:
            return out
        categories = await repo.categories_of(session, {
            (e.dataset, e.code) for p in rules_of for e in latest[p].events})
        compiled = {r: Compiled(rules[r], categories) for r in {x for s in rules_of.values()
                                                                  for x in s}}
        today, now = self.today(), utcnow()
        joining, steps, kept = [], [], {}
        for pseudonym, ids in rules_of.items():
            profile = latest[pseudonym]
            events = [((e.dataset, e.code), e.occurred_on) for e in profile.events]
            mine = [e for e in events if any(_kept(rules[r], compiled[r], e[0]) for r in ids)]
            occurrences: dict[tuple[CodeKey, date], int] = {}
            for e in mine:
                occurrences[e] = occurrences.get(e, 0) + 1
            kept[pseudonym] = [{"pseudonym": pseudonym, "dataset": k[0], "code": k[1],
                                "occurred_on": on, "occurrences": n}
                               for (k, on), n in occurrences.items()]
            for rule_id in ids:
                score = raised.get((rule_id, pseudonym))
                if score is None:
                    continue
                rule = rules[rule_id]
                joining.append({
                    "rule_id": rule_id, "pseudonym": pseudonym, "level": profile.level,
                    "area": profile.area, "identified_on": today,
                    "rule_version": rule.version,
                    "baseline": measures.measurement(compiled[rule_id], events, today),
                    "headlines": " ".join(measures.headlines(compiled[rule_id], events, today,
                                                             rule.window)),
                    "score": score, "state": IDENTIFIED,
                    "eligible": " ".join(x.id for x in rule.outcomes.measures
                                         if measures.eligible(x, events, today)), "keyworker": None,
                    "state_changed_at": now, "measured_through": None,
                    "agreements": common.pack(profile.agreements)})
                steps.append({"rule_id": rule_id, "pseudonym": pseudonym, "state": IDENTIFIED,
                              "keyworker": None, "by": SYSTEM, "at": now})
        await repo.add_members(session, joining)
        await repo.add_steps(session, steps)
        await repo.replace_events(session, kept)
        for p in kept:
            if any((r, p) in members for r in rules_of[p]):
                await repo.refresh_members(session, [p], latest[p].area,
                                           common.pack(latest[p].agreements))
        out.joined, out.refreshed = len(joining), len(kept)
        if joining:
            log.info("cohorts: %d joined, %d members' codes refreshed", out.joined,
                     out.refreshed)
        return out

    async def followed(self, session: AsyncSession, level: str, pseudonyms: list[str]
                       ) -> set[str]:
        """Which of these pseudonyms a cohort follows or would enrol (flagged under a rule
        with outcomes)."""
        rules = [r.id for r in await repo.current_rules(session)
                 if r.outcomes and r.level == level]
        if not rules:
            return set()
        members = await repo.members_of(session, pseudonyms)
        active = await repo.active_scores(session, pseudonyms, rules)
        return {p for _, p in members} | {p for p, _ in active}

    def ended(self, month: str) -> bool:
        return month <= last_ended_month(self.clock())

    async def measure(self, session: AsyncSession, through: str | None = None,
                      limit: int = 2000) -> int:
        """Measure members at each month end from their identification through `through`
        (default the last month ended) that they have not been measured at; returns how
        many members were measured (at most `limit`: call again until 0)."""
        through = through or last_ended_month(self.clock())
        if not self.ended(through):
            raise ValueError("a month is measured once it has ended")
        behind = await repo.members_behind(session, through, limit)
        if not behind:
            return 0
        rules = {r.id: r for r in await repo.current_rules(session)}
        events = await repo.events_of(session, {b.pseudonym for b in behind})
        categories = await repo.categories_of(session, {
            (e.dataset, e.code) for rows in events.values() for e in rows})
        met = await repo.met_of(session, [(b.rule_id, b.pseudonym) for b in behind])
        compiled: dict[str, Compiled] = {}
        measured, reached, done, eligible = [], [], [], []
        now = utcnow()
        for member in behind:
            done.append((member.rule_id, member.pseudonym))
            rule = rules.get(member.rule_id)
            if rule is None or rule.outcomes is None:
                continue
            if rule.id not in compiled:
                compiled[rule.id] = Compiled(rule, categories)
            evs = as_events(events.get(member.pseudonym, []))
            already = {x.measure for x in met.get((member.rule_id, member.pseudonym), [])}
            applies = [x for x in rule.outcomes.measures
                       if measures.eligible(x, evs, member.identified_on)]
            eligible.append({"rule_id": member.rule_id, "pseudonym": member.pseudonym,
                             "eligible": " ".join(x.id for x in applies)})
            first = (measures.next_month(member.measured_through) if member.measured_through
                     else measures.month_of(member.identified_on))
            for month in measures.months_from(first, through):
                end = measures.month_end(month)
                holding = [x.id for x in applies
                           if measures.met_at(x, evs, member.identified_on, end)]
                measured.append({"rule_id": member.rule_id, "pseudonym": member.pseudonym,
                                 "month": month, "measured_at": now, "met": holding,
                                 "counts": measures.measurement(compiled[rule.id], evs, end)})
                for measure_id in holding:
                    if measure_id not in already:
                        already.add(measure_id)
                        reached.append({"rule_id": member.rule_id, "measure": measure_id,
                                        "pseudonym": member.pseudonym, "month": month,
                                        "claimed_at": None})
        await repo.add_measurements(session, measured)
        await repo.add_met(session, reached)
        await repo.set_measured(session, done, through)
        await repo.set_eligible(session, eligible)
        log.info("outcomes: %d members measured through %s, %d measures newly met",
                 len(done), through, len(reached))
        return len(done)

