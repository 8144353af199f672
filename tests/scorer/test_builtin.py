"""The built-in rule sets at and around every boundary, on hand-made profiles."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from services.scorer.rules import (
    Compiled,
    RuleDocument,
    holds,
    leaves_on,
    next_change,
    window_start,
)
from tests.scorer.conftest import TODAY, catalogues, key

RULES = Path(__file__).resolve().parents[2] / "services" / "scorer" / "rules"
CATEGORIES = {(cat.dataset, c.code): (c.category, c.headline)
              for cat in catalogues() for c in cat.codes}
IN = TODAY - timedelta(days=10)


def rule(rule_id: str) -> RuleDocument:
    return RuleDocument.model_validate(yaml.safe_load((RULES / f"{rule_id}.yaml").read_text()))


def evaluate(rule_id: str, *events: tuple[str, date]):
    r = rule(rule_id)
    c, oldest, future = Compiled(r, CATEGORIES).evaluate(
        events, window_start(TODAY, r.window), TODAY)
    return c, holds(c, r.conditions), next_change(r, oldest, future)


def on(day: date, *codes: str) -> list[tuple[tuple[str, str], date]]:
    return [(key(c), day) for c in codes]


@pytest.mark.parametrize(("events", "indicators", "flagged"), [
    (on(IN, "GP1", "SCH1", "HOU1", "CSC1"), 4, False),
    (on(IN, "GP1", "SCH1", "HOU1", "CSC1", "POL1"), 5, True),
    (on(IN, "GP1", "GP2", "GP3", "GP4", "GP5"), 5, False),  # health but no non-health
    (on(IN, "SCH1", "SCH2", "HOU1", "CSC1", "POL1"), 5, False),  # non-health, no health
    (on(IN, "GP1", "SCH1", "HOU1", "CSC1") + on(date(2025, 12, 15), "POL1"), 4, False),
    (on(IN, "GP1", "SCH1", "HOU1", "CSC1") + on(date(2025, 12, 16), "POL1"), 5, True),
    (on(IN, "GP1", "SCH1", "HOU1", "CSC1", "ZZ9"), 4, False),  # unknown code
])
def test_oldham_gp_pilot(events, indicators, flagged):
    c, ok, _ = evaluate("oldham-gp-pilot", *events)
    assert (c.indicators, ok) == (indicators, flagged)


@pytest.mark.parametrize(("events", "headlines", "flagged"), [
    (on(IN, "SCH1", "SCH2", "SCH3", "SCH4"), 1, False),  # many codes, one headline
    (on(IN, "SCH1", "POL2"), 2, True),
    (on(IN, "POL2", "POL3", "HOU3"), 1, False),  # all crime and ASB
    (on(IN, "GP1", "CSC1", "POL1", "HOU1", "SCH1", "POL2"), 6, True),
    (on(IN, "SCH1") + on(TODAY - timedelta(days=365), "POL2"), 1, False),  # on the start
    (on(IN, "SCH1") + on(TODAY - timedelta(days=364), "POL2"), 2, True),
])
def test_troubled_families_phase_two(events, headlines, flagged):
    assert window_start(TODAY, "P12M") == TODAY - timedelta(days=365)
    c, ok, _ = evaluate("troubled-families-phase-two", *events)
    assert (c.headlines, ok) == (headlines, flagged)


@pytest.mark.parametrize(("events", "indicators", "flagged"), [
    (on(IN, "GP1", "CSC3"), 2, False),
    (on(IN, "GP1", "CSC3", "SCH1"), 3, True),
    (on(IN, "POL1", "POL2", "POL3", "GP1"), 2, False),  # three call-out codes: one indicator
    (on(IN, "GP3", "GP7", "HOU1", "SCH2", "GP1", "CSC3"), 2, False),  # unmapped codes
    (on(IN, "GP4", "GP5", "GP6", "GP2", "CSC1"), 5, True),
    (on(IN, "GP1", "CSC3") + on(TODAY - timedelta(days=365), "SCH1"), 2, False),
    (on(IN, "GP1", "CSC3") + on(TODAY - timedelta(days=364), "SCH1"), 3, True),
])
def test_oldham_chaotic_living(events, indicators, flagged):
    c, ok, _ = evaluate("oldham-chaotic-living", *events)
    assert (c.indicators, ok) == (indicators, flagged)


def test_next_change_is_the_day_the_oldest_indicator_leaves():
    start = window_start(TODAY, "P6M")
    _, ok, nxt = evaluate("oldham-gp-pilot", *on(IN, "GP1", "SCH1", "HOU1", "CSC1"),
                          *on(start + timedelta(days=1), "POL1"))
    assert ok and nxt == TODAY + timedelta(days=1)
    assert window_start(nxt, "P6M") == start + timedelta(days=1)
    assert window_start(nxt - timedelta(days=1), "P6M") < start + timedelta(days=1)
    # a later occurrence of the same code keeps the indicator in the window
    _, _, nxt = evaluate("oldham-gp-pilot", *on(start + timedelta(days=1), "POL1"),
                         *on(IN, "POL1"))
    assert nxt == leaves_on(IN, "P6M")
    # a future-dated event enters the window on its day
    _, _, nxt = evaluate("oldham-gp-pilot", *on(TODAY + timedelta(days=3), "GP1"))
    assert nxt == TODAY + timedelta(days=3)
    assert evaluate("oldham-gp-pilot")[2] is None


@pytest.mark.parametrize("last", [date(2026, 1, 31), date(2026, 2, 28), date(2025, 8, 31),
                                  date(2024, 2, 29), date(2026, 6, 1)])
@pytest.mark.parametrize("window", ["P6M", "P12M", "P1M", "P90D", "P1M2D"])
def test_leaves_on_is_exact(last, window):
    t = leaves_on(last, window)
    assert window_start(t, window) >= last > window_start(t - timedelta(days=1), window)


def test_rule_documents_are_validated():
    base = yaml.safe_load((RULES / "oldham-chaotic-living.yaml").read_text())
    with pytest.raises(ValueError):
        RuleDocument.model_validate({**base, "codes": {"indicators": {"a": ["GP1"],
                                                                      "b": ["GP1"]}}})
    with pytest.raises(ValueError):
        RuleDocument.model_validate({**base, "codes": {"headlines": ["weather"]}})
    with pytest.raises(ValueError):
        RuleDocument.model_validate({**base, "window": "6 months"})
    with pytest.raises(ValueError):
        RuleDocument.model_validate({**base, "level": "street"})
