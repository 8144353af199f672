"""Follow-up months: households' trajectories after as_of, without changing the borough
up to as_of, and no event after the day given as today."""

from __future__ import annotations

from collections import Counter
from datetime import date

from synthetic import generate_borough
from synthetic.trajectories import IMPROVES, PERSISTS, after
from synthetic.truth import first_met, household_events

AS_OF = date(2025, 3, 15)


def test_the_borough_up_to_as_of_is_unchanged():
    plain = generate_borough(seed=3, households=120, as_of=AS_OF)
    later = generate_borough(seed=3, households=120, as_of=AS_OF, follow_up_months=12)
    assert plain.truth.trajectories == {}
    assert plain.truth.flagged() == later.truth.flagged()
    assert plain.population.people.keys() == later.population.people.keys()
    for pid, events in plain.truth.person_events.items():
        assert [e for e in later.truth.person_events[pid] if e.occurred_on <= AS_OF] == events
    for owner, events in plain.truth.property_events.items():
        assert [e for e in later.truth.property_events[owner]
                if e.occurred_on <= AS_OF] == events
    again = generate_borough(seed=3, households=120, as_of=AS_OF, follow_up_months=12)
    assert list(again.uploads()) == list(later.uploads())


def test_trajectories_shape_what_follows():
    until = date(2025, 11, 2)
    b = generate_borough(seed=4, households=200, as_of=AS_OF, follow_up_months=12,
                         follow_up_until=until)
    kinds = b.truth.trajectories
    assert {IMPROVES, PERSISTS} <= set(Counter(kinds.values()))
    after_as_of = {h: [e for e in household_events(b.truth, h) if e.occurred_on > AS_OF]
                   for h in kinds}
    assert all(not after_as_of[h] for h, k in kinds.items() if k == IMPROVES)
    assert sum(bool(after_as_of[h]) for h, k in kinds.items() if k == PERSISTS) > 0.8 * sum(
        k == PERSISTS for k in kinds.values())
    latest = max(e.occurred_on for evs in after_as_of.values() for e in evs)
    assert AS_OF < latest <= min(until, after(AS_OF, 12))
    # a household that improved meets a measure on the codes it had, at the first month
    # end six months clear of identification
    h = next(h for h, k in sorted(kinds.items()) if k == IMPROVES)
    codes = {e.code for e in household_events(b.truth, h)}
    assert first_met(household_events(b.truth, h), codes, codes, 6, AS_OF,
                     date(2026, 3, 31)) == date(2025, 9, 30)
