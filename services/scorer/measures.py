"""Outcome measures of a rule set's cohort, and the counting that measures a family.

Pure functions: no SQL, no I/O. A family joins its rule's cohort on the day the flag is
first raised (its identification); its baseline is the rule's counts in the 6 and 12
months before, and each month end after it is measured again. An outcome measure names
codes as a rule's indicators do (``CODE`` in every dataset, ``dataset/CODE`` in one) and
holds at a month end when, over the whole period it names (after identification), none of
its ``none`` codes occurred and one of its ``every_month`` codes occurred in each of the
period's calendar months (the month end's and those before it). A family is measured on
it only if it had one of the ``had`` codes (default: the ``none`` codes) in the 12 months
before identification.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta

from services.scorer.rules import CodeKey, Compiled, Measure, qualified, window_start

BASELINES = (6, 12)  # months before identification (and before each month end)
ELIGIBLE_MONTHS = 12  # a measure's `had` codes are looked for this far back
HORIZON = 60  # months after identification a claim window is predicted within

Event = tuple[CodeKey, date]


def named(names: Iterable[str], key: CodeKey) -> bool:
    """Whether a list of code names (``CODE`` or ``dataset/CODE``) names this code."""
    names = set(names)
    return key[1] in names or qualified(key) in names


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_end(month: str) -> date:
    year, m = (int(p) for p in month.split("-"))
    return date(year, m, calendar.monthrange(year, m)[1])


def next_month(month: str) -> str:
    return month_of(month_end(month) + timedelta(days=1))


def months_from(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` inclusive (empty when last is earlier)."""
    out, month = [], first
    while month <= last:
        out.append(month)
        month = next_month(month)
    return out


def months_ending(month: str, n: int) -> list[str]:
    """The `n` calendar months ending with `month`."""
    out = [month]
    while len(out) < n:
        out.insert(0, month_of(month_end(out[0]).replace(day=1) - timedelta(days=1)))
    return out


def counts(compiled: Compiled, events: Iterable[Event], on: date, months: int) -> dict:
    """The rule's counts over (on - months, on]: distinct indicators, by category and per
    headline problem (distinct indicators of each)."""
    start = window_start(on, f"P{months}M")
    seen: dict[str, tuple[bool, str | None]] = {}
    for key, day in events:
        k = compiled.key.get(key)
        if k is not None and start < day <= on:
            seen[k[0]] = (k[1], k[2])
    health = sum(1 for h, _ in seen.values() if h)
    per: dict[str, int] = {}
    for _, headline in seen.values():
        if headline:
            per[headline] = per.get(headline, 0) + 1
    return {"indicators": len(seen), "health": health, "non_health": len(seen) - health,
            "headlines": dict(sorted(per.items()))}


def measurement(compiled: Compiled, events: list[Event], on: date) -> dict:
    """Counts over the 6 and 12 months up to `on`: a baseline, or a month's re-measure."""
    return {f"P{n}M": counts(compiled, events, on, n) for n in BASELINES}


def headlines(compiled: Compiled, events: Iterable[Event], on: date, window: str) -> list[str]:
    """The headline problems the rule counted at identification (its own window)."""
    start = window_start(on, window)
    return sorted({k[2] for key, day in events
                   if (k := compiled.key.get(key)) is not None and k[2] and start < day <= on})


def eligible(measure: Measure, events: Iterable[Event], identified_on: date) -> bool:
    start = window_start(identified_on, f"P{ELIGIBLE_MONTHS}M")
    had = measure.had_codes
    if not had:
        return True
    return any(start < day <= identified_on and named(had, key) for key, day in events)


def _present_months(measure: Measure, events: Iterable[Event]) -> set[str]:
    return {month_of(day) for key, day in events if named(measure.every_month, key)}


def met_at(measure: Measure, events: list[Event], identified_on: date, end: date) -> bool:
    """Whether the measure holds at month end `end`: its whole period after identification,
    no `none` code in it and an `every_month` code in each of its months."""
    start = window_start(end, measure.sustained_for)
    if start < identified_on:
        return False
    if measure.none and any(start < day <= end and named(measure.none, key)
                            for key, day in events):
        return False
    if measure.every_month:
        present = _present_months(measure, events)
        return all(m in present for m in months_ending(month_of(end), measure.months))
    return True


def predicted(measure: Measure, events: list[Event], identified_on: date,
              today: date) -> str | None:
    """The first month at whose end the measure would hold if nothing more happened: no
    further `none` code, and `every_month` codes continuing from now on. None when it
    cannot within the horizon."""
    present = _present_months(measure, events)
    current = month_of(today)
    month = month_of(identified_on)
    for _ in range(HORIZON):
        end = month_end(month)
        start = window_start(end, measure.sustained_for)
        if start >= identified_on and not (measure.none and any(
                start < day <= min(end, today) and named(measure.none, key)
                for key, day in events)):
            months = months_ending(month, measure.months)
            if not measure.every_month or all(m in present or m >= current for m in months):
                return month
        month = next_month(month)
    return None
