"""Outcome measures counted as docs/outcomes.md says: over a period wholly after
identification, none of the `none` codes and an `every_month` code in each month; a
measure applies only to families that had its codes before; claim windows predicted."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from services.scorer import measures
from services.scorer.rules import Measure, RuleDocument

POLICE = ("police-callouts", "POL2")
WORK = ("dwp", "EMP1")
BENEFIT = ("dwp", "BEN1")
IDENTIFIED = date(2026, 1, 20)

callouts = Measure(id="no-callouts", title="No call-outs", none=["POL2"], sustained_for="P6M")
employed = Measure(id="employed", title="Off benefits, in work", none=["dwp/BEN1"],
                   every_month=["EMP1"], had=["BEN1"], sustained_for="P3M")


def test_none_holds_only_over_a_period_after_identification():
    events = [(POLICE, date(2025, 12, 1)), (POLICE, date(2026, 2, 10))]
    assert measures.eligible(callouts, events, IDENTIFIED)
    # 2026-07-31: the six months from 2026-01-31 would be after identification, but hold
    # the call-out of 2026-02-10; the first month end clear of it is 2026-08-31
    assert not measures.met_at(callouts, events, IDENTIFIED, date(2026, 7, 31))
    assert measures.met_at(callouts, events, IDENTIFIED, date(2026, 8, 31))
    quiet = events[:1]
    assert not measures.met_at(callouts, quiet, IDENTIFIED, date(2026, 6, 30))  # from 12-31
    assert measures.met_at(callouts, quiet, IDENTIFIED, date(2026, 7, 31))
    assert measures.predicted(callouts, events, IDENTIFIED, date(2026, 3, 1)) == "2026-08"


def test_a_measure_applies_to_families_that_had_its_codes():
    assert not measures.eligible(callouts, [(POLICE, date(2024, 12, 1))], IDENTIFIED)
    assert not measures.eligible(callouts, [(POLICE, date(2026, 2, 1))], IDENTIFIED)
    assert not measures.eligible(employed, [(WORK, date(2025, 12, 1))], IDENTIFIED)
    assert measures.eligible(employed, [(BENEFIT, date(2025, 12, 1))], IDENTIFIED)


def test_every_month_needs_each_month_of_the_period():
    before = [(BENEFIT, date(2025, 11, 3))]
    work = [(WORK, date(2026, m, 5)) for m in (2, 3, 4, 6, 7, 8)]
    events = before + work
    assert measures.met_at(employed, events, IDENTIFIED, date(2026, 4, 30))  # Feb-Apr
    assert not measures.met_at(employed, events, IDENTIFIED, date(2026, 5, 31))  # no May
    assert measures.met_at(employed, events, IDENTIFIED, date(2026, 8, 31))
    back_on = events + [(BENEFIT, date(2026, 8, 20))]
    assert not measures.met_at(employed, back_on, IDENTIFIED, date(2026, 8, 31))
    # from June 2026 with work in June only so far, the window opens at August's end
    assert measures.predicted(employed, before + work[3:4], IDENTIFIED,
                              date(2026, 6, 20)) == "2026-08"
    assert measures.named(["EMP1"], WORK) and measures.named(["dwp/EMP1"], WORK)
    assert not measures.named(["other/EMP1"], WORK)


def test_counts_per_window_and_headline():
    from services.scorer.rules import Compiled, StoredRule

    rule = StoredRule(id="r", title="r", level="household", window="P12M",
                      purposes=["p"], version=1)
    compiled = Compiled(rule, {POLICE: ("non_health", "crime-asb"),
                               ("gp", "GP1"): ("health", "health")})
    events = [(POLICE, date(2025, 3, 1)), (("gp", "GP1"), date(2025, 12, 1)),
              (("unknown", "X"), date(2025, 12, 1))]
    got = measures.measurement(compiled, events, IDENTIFIED)
    assert got["P6M"] == {"indicators": 1, "health": 1, "non_health": 0,
                          "headlines": {"health": 1}}
    assert got["P12M"]["headlines"] == {"crime-asb": 1, "health": 1}
    assert measures.headlines(compiled, events, IDENTIFIED, "P6M") == ["health"]


@pytest.mark.parametrize("bad", [
    {"id": "x", "title": "x"},  # names no codes
    {"id": "x", "title": "x", "none": ["A"], "sustained_for": "P10D"},  # not whole months
    {"id": "X!", "title": "x", "none": ["A"]},
])
def test_bad_measures_are_refused(bad):
    with pytest.raises(ValidationError):
        Measure.model_validate(bad)


def test_measure_ids_are_unique_in_a_rule():
    one = {"id": "x", "title": "x", "none": ["A"]}
    with pytest.raises(ValidationError):
        RuleDocument.model_validate({"id": "r", "title": "r", "level": "person",
                                     "purposes": ["p"], "outcomes": {"measures": [one, one]}})


def test_months():
    assert measures.months_from("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01",
                                                          "2026-02"]
    assert measures.month_end("2024-02") == date(2024, 2, 29)
