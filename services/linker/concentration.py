"""How concentrated demand is, over the whole resident population (residents with no
demand count as zeros): 'x% of residents account for y% of demand', the Lorenz curve and
the Gini coefficient, overall and per area, over every event the linker holds.

What is shown never describes fewer than k persons with demand: the persons with demand
per area are protected as one release (services/common/disclosure.py) and an area whose
count is hidden shows no concentration at all; the Lorenz curve steps over at least k
persons with demand at a time (the residents without demand are one step, of no events);
a top x% is shown only when it holds at least k persons with demand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from services.common.disclosure import note, protect
from services.linker.geography import Geography
from services.linker.profiles import UNKNOWN
from services.linker.schemas import AreaConcentration, ConcentrationProfile, TopShare

TOP = (1.0, 5.0, 10.0, 20.0, 50.0)  # x of 'x% of residents account for y% of demand'
STEPS = 20  # the Lorenz curve's steps over the persons with demand, at most


def gini(values: Sequence[int], residents: int) -> float | None:
    """Gini of `values` (persons with demand) padded with zeros to `residents`."""
    total = sum(values)
    if total == 0 or residents <= 1:
        return None
    ranked = sorted(values)
    zeros = residents - len(ranked)
    weighted = sum((zeros + i + 1) * v for i, v in enumerate(ranked))
    return 2 * weighted / (residents * total) - (residents + 1) / residents


def lorenz(values: Sequence[int], residents: int, k: int) -> list[tuple[float, float]]:
    """Points (share of residents, share of demand), each step over at least k persons
    with demand."""
    total = sum(values)
    ranked = sorted(values)
    n = len(ranked)
    if total == 0 or n < k or residents < n:
        return []
    step = max(k, math.ceil(n / STEPS))
    cuts = list(range(step, n - k + 1, step)) + [n]  # the last step holds at least k
    zeros = residents - n
    points = [(0.0, 0.0), (round(zeros / residents, 4), 0.0)]
    running, done = 0, 0
    for cut in cuts:
        running += sum(ranked[done:cut])
        done = cut
        points.append((round((zeros + cut) / residents, 4), round(running / total, 4)))
    return points


def top_shares(values: Sequence[int], residents: int, k: int) -> list[TopShare]:
    total = sum(values)
    ranked = sorted(values, reverse=True)
    out = []
    for x in TOP:
        size = math.ceil(residents * x / 100)
        described = min(size, len(ranked))  # the persons with demand among them
        share = (round(sum(ranked[:size]) / total, 4)
                 if total and described >= k and residents >= len(ranked) else None)
        out.append(TopShare(residents_percent=x, demand_share=share))
    return out


def concentration(geo: Geography, persons: Sequence[tuple[str | None, int]], level: str,
                  k: int) -> ConcentrationProfile:
    """`persons`: (LSOA, events) of each person with demand."""
    place = [(lsoa if lsoa in geo.ward_of else UNKNOWN, n) for lsoa, n in persons]
    sizes: dict[str, int] = {}
    for lsoa, _ in place:
        sizes[lsoa] = sizes.get(lsoa, 0) + 1
    keys = list(sizes)
    counts, rank = [], {}
    for lvl, r in (("all", 3), ("locality", 2), ("ward", 1), ("lsoa", 0)):
        for area in (["all"] if lvl == "all" else geo.areas(lvl)):
            rank[len(counts)] = r
            counts.append((lvl, area, [u for u in keys if lvl == "all" or (
                u != UNKNOWN and geo.area(u, lvl) == area)]))
    protected = protect([c[2] for c in counts], sizes, k, rank=rank)
    shown = {(c[0], c[1]): protected.shown(i) for i, c in enumerate(counts)}
    residents = geo.residents(level)

    def one(lvl: str, area: str, population: int | None) -> AreaConcentration:
        values = [n for lsoa, n in place
                  if lvl == "all" or (lsoa != UNKNOWN and geo.area(lsoa, lvl) == area)]
        with_demand = shown[(lvl, area)]
        usable = (with_demand is not None and population is not None
                  and population >= len(values) and with_demand >= k)
        g = gini(values, population) if usable else None
        return AreaConcentration(
            area=area, name=geo.names.get(area), population=population,
            persons_with_demand=with_demand,
            share_with_demand=(round(with_demand / population, 4)
                               if with_demand is not None and population else None),
            top=top_shares(values, population, k) if usable else
            [TopShare(residents_percent=x, demand_share=None) for x in TOP],
            lorenz=lorenz(values, population, k) if usable else [],
            gini=round(g, 3) if g is not None else None, suppressed=not usable)

    overall = sum(geo.population.get(lsoa, 0) for lsoa in geo.ward_of) or None
    return ConcentrationProfile(
        level=level, areas=[one(level, a, residents.get(a)) for a in geo.areas(level)],
        overall=one("all", "all", overall), disclosure=note(protected))
