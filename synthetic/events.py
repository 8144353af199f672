"""Coded demand events: which codes a person (or property) gets, and when.

A latent complexity (none, moderate, high) drives how many distinct codes are drawn
and how recent they are. Every date lies in the 18 months up to as_of and at least
`margin` days away from the 6-month window boundary, so the truth cannot flip while a
test runs.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, timedelta

from synthetic.people import HIGH, MODERATE, NONE


@dataclass(frozen=True, slots=True, order=True)
class Event:
    code: str
    occurred_on: date


@dataclass(frozen=True, slots=True)
class CodeRule:
    code: str
    weight: int
    min_age: int = 0
    max_age: int = 200
    min_complexity: int = NONE


CODE_RULES: dict[str, tuple[CodeRule, ...]] = {
    "gp-p81001": (
        CodeRule("GP1", 5), CodeRule("GP2", 4), CodeRule("GP3", 4, min_age=10),
        CodeRule("GP4", 3, max_age=16), CodeRule("GP5", 2, max_age=4),
        CodeRule("GP6", 2, min_age=2, max_age=4), CodeRule("GP7", 3, min_age=14,
                                                            min_complexity=MODERATE),
        CodeRule("GP8", 3, min_age=16),
    ),
    "school-census": (
        CodeRule("SCH1", 6), CodeRule("SCH2", 3, min_complexity=MODERATE),
        CodeRule("SCH3", 1, min_complexity=HIGH), CodeRule("SCH4", 1, min_complexity=MODERATE),
    ),
    "csc-contacts": (
        CodeRule("CSC1", 5), CodeRule("CSC2", 3, min_complexity=MODERATE),
        CodeRule("CSC3", 2, min_complexity=HIGH), CodeRule("CSC4", 3, min_complexity=MODERATE),
    ),
    "housing-tenancies": (
        CodeRule("HOU1", 5), CodeRule("HOU2", 3, min_complexity=MODERATE), CodeRule("HOU3", 3),
        CodeRule("HOU4", 1, min_complexity=MODERATE),
    ),
    "police-callouts": (
        CodeRule("POL1", 3, min_complexity=MODERATE), CodeRule("POL2", 4), CodeRule("POL3", 3),
    ),
}
HEALTH_DATASET = "gp-p81001"
P_RECENT = (0.33, 0.45, 0.75)


def is_health(code: str) -> bool:
    return code.startswith("GP")


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, clamped to the month's end."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Calendar:
    as_of: date
    margin: int = 3

    @property
    def boundary(self) -> date:
        return months_before(self.as_of, 6)

    @property
    def start(self) -> date:
        return months_before(self.as_of, 18) + timedelta(days=1)

    def in_window(self, day: date) -> bool:
        return self.boundary < day <= self.as_of

    def draw(self, rng: random.Random, recent: bool) -> date:
        if recent:
            low, high = self.boundary + timedelta(days=self.margin), self.as_of
        else:
            low, high = self.start, self.boundary - timedelta(days=self.margin)
        return low + timedelta(days=rng.randint(0, (high - low).days))


def draw_count(rng: random.Random, complexity: int) -> int:
    if complexity == NONE:
        return rng.choices((0, 1, 2), (72, 24, 4))[0]
    if complexity == MODERATE:
        return rng.randint(1, 4)
    return rng.randint(4, 9)


def _pick(rng: random.Random, rules: list[CodeRule]) -> CodeRule:
    rule = rng.choices(rules, [r.weight for r in rules])[0]
    rules.remove(rule)
    return rule


def choose_codes(rng: random.Random, pool: list[CodeRule], k: int, complexity: int) -> list[str]:
    pool = list(pool)
    chosen: list[str] = []
    if complexity == HIGH and k >= 2:
        health = [r for r in pool if is_health(r.code)]
        other = [r for r in pool if not is_health(r.code)]
        if health and other:
            for part in (health, other):
                rule = _pick(rng, part)
                pool.remove(rule)
                chosen.append(rule.code)
    while pool and len(chosen) < k:
        chosen.append(_pick(rng, pool).code)
    return chosen


def occurrences(rng: random.Random, cal: Calendar, codes: list[str],
                complexity: int) -> list[Event]:
    events = []
    for code in codes:
        for _ in range(rng.choices((1, 2, 3), (60, 25, 15))[0]):
            recent = rng.random() < P_RECENT[complexity]
            events.append(Event(code, cal.draw(rng, recent)))
    return sorted(events)


def person_events(rng: random.Random, cal: Calendar, datasets: list[str], age: int,
                  complexity: int) -> dict[str, list[Event]]:
    """Events per dataset for one person enrolled in `datasets`."""
    pool = [rule for ds in datasets for rule in CODE_RULES[ds]
            if rule.min_age <= age <= rule.max_age and rule.min_complexity <= complexity]
    codes = choose_codes(rng, pool, draw_count(rng, complexity), complexity)
    out: dict[str, list[Event]] = {}
    for event in occurrences(rng, cal, codes, complexity):
        ds = next(d for d in datasets if any(r.code == event.code for r in CODE_RULES[d]))
        out.setdefault(ds, []).append(event)
    return out


def property_events(rng: random.Random, cal: Calendar, complexity: int) -> list[Event]:
    chance = (0.04, 0.35, 0.85)[complexity]
    if rng.random() >= chance:
        return []
    pool = [r for r in CODE_RULES["police-callouts"] if r.min_complexity <= complexity]
    k = 1 if complexity < HIGH else rng.randint(1, 3)
    return occurrences(rng, cal, choose_codes(rng, pool, k, NONE), complexity)
