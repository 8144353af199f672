"""Disclosure control: an attacker with a linear-programming solver tries to work out every
hidden count, and every small group the counts separate, from the counts shown
(tests/disclosure_attack.py)."""

from __future__ import annotations

import random

import pytest

from services.common.disclosure import note, protect
from tests.disclosure_attack import attack

K = 10


def table(rng, rows, cols, small_share):
    """A rows x cols table of counts (units are cells) with its margins and grand total."""
    sizes = {}
    for r in range(rows):
        for c in range(cols):
            sizes[(r, c)] = rng.randint(1, K - 1) if rng.random() < small_share else \
                rng.randint(K, 60)
    counts = [{(r, c)} for r in range(rows) for c in range(cols)]
    counts += [{(r, c) for c in range(cols)} for r in range(rows)]
    counts += [{(r, c) for r in range(rows)} for c in range(cols)]
    counts.append(set(sizes))
    return counts, sizes


def cumulative(rng, areas, bands, small_share):
    """Counts selected at each threshold (1..bands) per area and overall: each count holds
    its band and every higher one, so neighbouring thresholds differ by one band."""
    sizes = {(a, b): (rng.randint(0, K - 1) if rng.random() < small_share else rng.randint(K, 40))
             for a in range(areas) for b in range(bands)}
    counts = [{(a, b) for b in range(n, bands)} for a in range(areas) for n in range(bands)]
    counts += [{(a, b) for a in range(areas) for b in range(n, bands)} for n in range(bands)]
    return counts, sizes


@pytest.mark.parametrize("seed", range(12))
def test_nothing_hidden_in_a_table_with_margins_can_be_worked_out(seed):
    rng = random.Random(seed)
    counts, sizes = table(rng, rng.randint(2, 7), rng.randint(2, 6), 0.25)
    result = protect(counts, sizes, K, rank={len(counts) - 1: 1})
    values = result.values
    assert all(h for v, h in zip(values, result.hidden, strict=True) if 1 <= v < K)
    assert attack(counts, sizes, result.hidden, K) == []
    assert note(result).hidden == sum(result.hidden)


@pytest.mark.parametrize("seed", range(12))
def test_nothing_hidden_in_cumulative_counts_can_be_worked_out(seed):
    rng = random.Random(100 + seed)
    counts, sizes = cumulative(rng, rng.randint(2, 6), 10, 0.3)
    result = protect(counts, sizes, K)
    assert all(h for v, h in zip(result.values, result.hidden, strict=True) if 1 <= v < K)
    assert attack(counts, sizes, result.hidden, K) == []


def test_the_attacker_wins_against_primary_suppression_alone():
    # One small cell in a row whose total is shown: primary suppression alone gives it away,
    # so the attack above is a real one and secondary suppression is what stops it.
    counts = [{"a"}, {"b"}, {"c"}, {"a", "b", "c"}]
    sizes = {"a": 3, "b": 20, "c": 30}
    primary_only = [1 <= sum(sizes[u] for u in c) < K for c in counts]
    assert attack(counts, sizes, primary_only, K) == ["count 0 = 3", "cell 0 (3) = 3"]
    result = protect(counts, sizes, K, rank={3: 1})
    assert result.hidden == (True, True, False, False)  # b, the smaller of the others
    assert attack(counts, sizes, result.hidden, K) == []
    assert (result.primary, note(result).secondary) == (1, 1)


def test_a_small_difference_between_two_shown_counts_is_hidden():
    # 25 selected at threshold 3 and 22 at 4: shown together they say 3 have exactly 3.
    counts = [{"3", "4"}, {"4"}]
    result = protect(counts, {"3": 3, "4": 22}, K)
    assert sum(result.hidden) == 1
    assert attack(counts, {"3": 3, "4": 22}, result.hidden, K) == []


def test_zero_counts_stay_shown_and_an_event_count_follows_its_persons():
    counts = [{"x"}, {"y"}, {"x", "y"}]
    result = protect(counts, {"x": 0, "y": 40}, K)
    assert result.hidden == (False, False, False)
    forced = protect(counts, {"x": 15, "y": 40}, K, also_hide=[0], rank={2: 1})
    assert forced.hidden == (True, True, False) and forced.primary == 0


def month_cube(rng, areas, groups, small_share):
    """One month's events per (area, group) cell: sizes, and the counts two kinds of request
    show: per area (a margin), and per area and group; the overall total in both."""
    sizes = {(a, g): (rng.randint(1, K - 1) if rng.random() < small_share else
                      rng.randint(K, 50)) for a in range(areas) for g in range(groups)}
    by_area = [{(a, g) for g in range(groups)} for a in range(areas)] + [set(sizes)]
    by_group = [{(a, g)} for a in range(areas) for g in range(groups)] + [set(sizes)]
    return sizes, by_area, by_group


@pytest.mark.parametrize("seed", range(8))
def test_two_requests_protected_apart_give_a_hidden_count_away(seed):
    # Each request alone is safe, but an area's total from one less its shown groups from
    # the other leaves the hidden group: why requests are parts of one protected table.
    rng = random.Random(300 + seed)
    sizes, by_area, by_group = month_cube(rng, 4, 3, 0.2)
    a = protect(by_area, sizes, K, rank={len(by_area) - 1: 1})
    b = protect(by_group, sizes, K, rank={len(by_group) - 1: 1})
    assert attack(by_area, sizes, a.hidden, K) == []
    assert attack(by_group, sizes, b.hidden, K) == []
    together = attack(by_area + by_group, sizes, a.hidden + b.hidden, K)
    table = by_area + by_group
    shared = protect(table, sizes, K, rank={len(by_area) - 1: 1, len(table) - 1: 1})
    assert attack(table, sizes, shared.hidden, K) == []
    assert together  # protected apart, the two requests leak
