"""Ground truth: who each record is, households, institutions, opt-outs, true events,
and who the Oldham rule should flag."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import combinations

from synthetic.events import Event, is_health, months_before

RecordKey = tuple[str, str, str]  # (partner, dataset, local_id)
THRESHOLDS = (3, 4, 5)


@dataclass(frozen=True, slots=True)
class RecordTruth:
    level: str  # "person" or "property"
    person_id: str | None = None
    household_id: str | None = None
    institution_id: str | None = None
    error: str | None = None  # the one deliberate error in this copy, if any


@dataclass(frozen=True)
class OldhamRule:
    """Person level: >= min_indicators distinct codes in (as_of - months, as_of],
    at least one health and one non-health code; opted-out persons excluded."""

    min_indicators: int = 5
    months: int = 6
    require_mix: bool = True

    def matches(self, codes: set[str]) -> bool:
        if len(codes) < self.min_indicators:
            return False
        if not self.require_mix:
            return True
        health = sum(is_health(c) for c in codes)
        return 0 < health < len(codes)


@dataclass
class Truth:
    as_of: date
    records: dict[RecordKey, RecordTruth]
    household_of: dict[str, str | None]
    institutions: dict[str, list[str]]
    optouts: set[str]
    person_events: dict[str, list[Event]]
    property_events: dict[str, list[Event]]
    twins: list[tuple[str, str]] = field(default_factory=list)
    # household id -> what happened after as_of (synthetic/trajectories.py), when generated
    trajectories: dict[str, str] = field(default_factory=dict)

    @property
    def window_start(self) -> date:
        """Exclusive start of the 6-month window."""
        return months_before(self.as_of, 6)

    def window_codes(self, person_id: str, months: int = 6) -> set[str]:
        start = months_before(self.as_of, months)
        return {e.code for e in self.person_events.get(person_id, ())
                if start < e.occurred_on <= self.as_of}

    def flagged(self, rule: OldhamRule | None = None) -> set[str]:
        rule = rule or OldhamRule()
        return {pid for pid in self.person_events
                if pid not in self.optouts and rule.matches(self.window_codes(pid, rule.months))}

    def records_of(self, person_id: str) -> list[RecordKey]:
        return sorted(k for k, r in self.records.items() if r.person_id == person_id)

    def match_pairs(self) -> set[tuple[RecordKey, RecordKey]]:
        """Every pair of person-level records that belong to the same person."""
        by_person: dict[str, list[RecordKey]] = {}
        for key, rec in self.records.items():
            if rec.level == "person" and rec.person_id:
                by_person.setdefault(rec.person_id, []).append(key)
        pairs = set()
        for keys in by_person.values():
            pairs.update(combinations(sorted(keys), 2))
        return pairs

    def household_members(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for pid, hh in self.household_of.items():
            if hh is not None:
                out.setdefault(hh, []).append(pid)
        return out


def calibration(truth: Truth) -> dict[str, dict[int, int]]:
    """Persons each threshold (3+, 4+, 5+) would flag: 'mixed' with the health and
    non-health condition, 'any' without. Opted-out persons are excluded from both."""
    out: dict[str, dict[int, int]] = {"mixed": {}, "any": {}}
    for n in THRESHOLDS:
        out["mixed"][n] = len(truth.flagged(OldhamRule(min_indicators=n)))
        out["any"][n] = len(truth.flagged(OldhamRule(min_indicators=n, require_mix=False)))
    return out


# --- households and their outcomes (reference counting, independent of the scorer) ------


def _month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def household_events(truth: Truth, household_id: str) -> list[Event]:
    """Every event of the household's members and of its property, in date order."""
    members = truth.household_members().get(household_id, [])
    return sorted([e for pid in members for e in truth.person_events.get(pid, ())]
                  + list(truth.property_events.get(household_id, ())))


def households_flagged(truth: Truth, headline_of: dict[str, str], min_headlines: int = 2,
                       min_indicators: int = 2, months: int = 12) -> set[str]:
    """Households whose members and property show `min_headlines` headline problems
    (troubled families, phase two) in the `months` up to as_of."""
    start = months_before(truth.as_of, months)
    out = set()
    for hid in truth.household_members():
        codes = {e.code for e in household_events(truth, hid)
                 if start < e.occurred_on <= truth.as_of and e.code in headline_of}
        if len(codes) >= min_indicators and len({headline_of[c] for c in codes}) >= min_headlines:
            out.add(hid)
    return out


def first_met(events: list[Event], none: set[str], had: set[str], months: int,
              identified_on: date, through: date) -> date | None:
    """The first month end, up to `through`, at which no code of `none` occurred in the
    `months` before it, that period lying wholly after `identified_on`; None when the
    household had no code of `had` in the 12 months before identification, or never."""
    start = months_before(identified_on, 12)
    if not any(start < e.occurred_on <= identified_on and e.code in had for e in events):
        return None
    end = _month_end(identified_on)
    while end <= through:
        begin = months_before(end, months)
        if begin >= identified_on and not any(
                begin < e.occurred_on <= end and e.code in none for e in events):
            return end
        end = _month_end(end + timedelta(days=1))
    return None
