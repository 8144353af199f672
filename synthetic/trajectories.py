"""What happens to households after as_of: some improve (their demand stops), some improve
in part (some of their problems stop), some do not (their problems go on recurring).

Drawn from a random stream of its own, after every event up to as_of is drawn, so a
borough generated with follow-up months has the same people and the same events up to
as_of as one without.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from synthetic.events import Event, months_before

IMPROVES, PARTLY, PERSISTS = "improves", "partly", "persists"
TRAJECTORY_WEIGHTS = {IMPROVES: 45, PARTLY: 25, PERSISTS: 30}
LOOK_BACK = 12  # months before as_of whose codes a household's trajectory continues
P_MONTH = 0.6  # chance a continuing code recurs in a given month


def after(day: date, months: int) -> date:
    """The same day `months` calendar months later, clamped to the month's end."""
    return months_before(day, -months)


def _recurrences(rng: random.Random, code: str, as_of: date, months: int,
                 until: date) -> list[Event]:
    out = []
    for j in range(1, months + 1):
        low, high = after(as_of, j - 1) + timedelta(days=1), min(after(as_of, j), until)
        if low <= high and rng.random() < P_MONTH:
            out.append(Event(code, low + timedelta(days=rng.randint(0, (high - low).days))))
    return out


@dataclass
class FollowUp:
    trajectories: dict[str, str] = field(default_factory=dict)  # household id -> kind
    person_events: dict[str, dict[str, list[Event]]] = field(default_factory=dict)
    property_events: dict[str, list[Event]] = field(default_factory=dict)


def follow_up(rng: random.Random, as_of: date, months: int, until: date | None,
              members: Mapping[str, list[str]],
              person_events: Mapping[str, dict[str, list[Event]]],
              property_events: Mapping[str, list[Event]]) -> FollowUp:
    """Each household's trajectory and its events in the `months` after as_of (none after
    `until`), apart from the events up to as_of. A household with no event in the 12
    months before as_of has no trajectory."""
    until = min(until or date.max, after(as_of, months))
    start = months_before(as_of, LOOK_BACK)
    out = FollowUp()
    for hid in sorted(members):
        owned: list[tuple[str | None, str, str]] = []  # (person or None: property, dataset, code)
        for pid in sorted(members[hid]):
            for dataset, events in sorted(person_events.get(pid, {}).items()):
                codes = sorted({e.code for e in events if start < e.occurred_on <= as_of})
                owned.extend((pid, dataset, c) for c in codes)
        codes = sorted({e.code for e in property_events.get(hid, ())
                        if start < e.occurred_on <= as_of})
        owned.extend((None, "", c) for c in codes)
        if not owned:
            continue
        kind = rng.choices(list(TRAJECTORY_WEIGHTS), list(TRAJECTORY_WEIGHTS.values()))[0]
        out.trajectories[hid] = kind
        for pid, dataset, code in owned:
            if kind == IMPROVES or (kind == PARTLY and rng.random() < 0.5):
                continue
            more = _recurrences(rng, code, as_of, months, until)
            if not more:
                continue
            if pid is None:
                out.property_events.setdefault(hid, []).extend(more)
            else:
                out.person_events.setdefault(pid, {}).setdefault(dataset, []).extend(more)
    return out
