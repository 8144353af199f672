"""Neighbourhood demand: events and persons per area and dataset, and how concentrated
demand is, with every count protected by the federation's disclosure rule
(services/common/disclosure.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from services.common.disclosure import note, protect
from services.linker.schemas import AreaDemand, Concentration, DemandReport

Cell = tuple[str | None, str]  # area, dataset
SHARES = {"top_1_percent": 0.01, "top_5_percent": 0.05, "top_10_percent": 0.10}


def top_share(counts: Sequence[int], fraction: float) -> tuple[int, float | None]:
    """How many persons the top `fraction` is, and the share of all events they account for
    (counts largest first)."""
    total = sum(counts)
    size = max(1, math.ceil(len(counts) * fraction))
    if not counts or total == 0:
        return size, None
    return size, round(sum(sorted(counts, reverse=True)[:size]) / total, 4)


def demand_report(events: Sequence[tuple[str | None, str, bool, int]],
                  persons: Sequence[tuple[frozenset[Cell], int]],
                  per_person: Sequence[int], k: int) -> DemandReport:
    """Persons are protected first, then events, with an area's events hidden wherever its
    persons are (a few persons' events say too much about each of them). The top shares are
    shown only for groups of at least k persons."""
    cells = sorted({(a, d) for a, d, _, _ in events} | {c for s, _ in persons for c in s},
                   key=lambda c: (c[0] is None, c[0] or "", c[1]))
    people = protect([[i for i, (s, _) in enumerate(persons) if c in s] for c in cells]
                     + [range(len(persons))],
                     dict(enumerate(n for _, n in persons)), k, rank={len(cells): 1})
    sizes = {(a, d, p): n for a, d, p, n in events}
    counted = protect([[(*c, True), (*c, False)] for c in cells]
                      + [[(*c, True) for c in cells]],
                      sizes, k, rank={len(cells): 1},
                      also_hide=[i for i in range(len(cells)) if people.hidden[i]])
    areas = [AreaDemand(area=a, dataset=d, events=counted.shown(i), persons=people.shown(i),
                        suppressed=counted.hidden[i] or people.hidden[i])
             for i, (a, d) in enumerate(cells)]
    total_persons, total_events = people.shown(len(cells)), counted.shown(len(cells))
    shares = {}
    for name, fraction in SHARES.items():
        size, share = top_share(per_person, fraction)
        shares[name] = share if size >= k and total_events is not None else None
    concentration = Concentration(
        persons=total_persons, events=total_events, **shares,
        suppressed=total_persons is None or total_events is None
        or any(v is None for v in shares.values()))
    return DemandReport(areas=areas, concentration=concentration,
                        disclosure=note(people, counted))
