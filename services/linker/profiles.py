"""Area profiles: demand by area (LSOA, ward, locality), category or headline problem and
month, with rates per 1,000 residents; every count protected by the federation's rule
(services/common/disclosure.py) so that no request, and no two requests together, give a
hidden count away (docs/outcomes.md).

Each month's counts are one table, protected whole: every area at every level, every
category and every headline problem, and the totals over them. A request, whatever its
level, grouping and months, shows a part of those tables and nothing else: a count over
several months is shown only as the sum of its months' shown counts (null if any is
hidden), so two requests differ only by counts both could have shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from services.common.disclosure import Protected, note, protect
from services.linker.geography import Geography
from services.linker.schemas import AreaProfile, AreaSeries, GroupSeries

UNKNOWN = "unknown"  # an LSOA not in the lookup, or a code the registry has not categorised
NONE = "none"  # a code with no headline problem
# breakdowns begin at wards: an LSOA's events of one headline problem in one month are
# almost always fewer than k, and each extra count makes the others harder to show
GROUPED_LEVELS = ("ward", "locality")
Unit = tuple[str, str, str]  # (LSOA, category, headline): the cells the counts are sums of


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_between(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass(frozen=True)
class Count:
    """One count of a month's table: the events of `group` in `area` at `level`."""

    level: str  # lsoa | ward | locality | all
    area: str  # the area's code ("all" for the whole council)
    by: str  # none | category | headline
    group: str  # "all", a category or a headline problem


def _cells(geo: Geography, level: str, area: str, by: str, group: str,
           units: Sequence[Unit]) -> list[Unit]:
    def inside(u: Unit) -> bool:
        if level != "all" and (u[0] == UNKNOWN or geo.area(u[0], level) != area):
            return False
        return by == "none" or (u[1] if by == "category" else u[2]) == group
    return [u for u in units if inside(u)]


@dataclass
class MonthTables:
    """Every month's protected table for one geography and one set of groups."""

    geo: Geography
    categories: list[str]
    headlines: list[str]
    counts: list[Count]
    tables: dict[str, Protected]
    units: dict[str, dict[Unit, int]]

    def __post_init__(self) -> None:
        self.index = {c: i for i, c in enumerate(self.counts)}

    def shown(self, month: str, count: Count) -> int | None:
        table = self.tables.get(month)
        if table is None:  # a month with no events at all: every count is 0
            return 0
        return table.shown(self.index[count])


def layout(geo: Geography, categories: list[str], headlines: list[str]
           ) -> tuple[list[Count], dict[int, int]]:
    """Every count of a month's table, with its rank for secondary suppression: the whole
    council's counts are hidden last, then localities', then wards', LSOAs' first."""
    counts: list[Count] = []
    rank: dict[int, int] = {}
    for level, r in (("all", 3), ("locality", 2), ("ward", 1), ("lsoa", 0)):
        areas = ["all"] if level == "all" else geo.areas(level)
        groupings = [("none", ["all"])]
        if level in (*GROUPED_LEVELS, "all"):
            groupings += [("category", categories), ("headline", headlines)]
        for area in areas:
            for by, groups in groupings:
                for group in groups:
                    rank[len(counts)] = r + (1 if by == "none" else 0)
                    counts.append(Count(level, area, by, group))
    return counts, rank


def protect_months(geo: Geography,
                   events: Sequence[tuple[str, str | None, str, str, date, int]],
                   categories: dict[tuple[str, str], tuple[str, str | None]],
                   months: Sequence[str], k: int) -> MonthTables:
    """`events`: (who, LSOA, dataset, code, day, events) rows, `who` the person or the
    property the events are of; `categories`: (dataset, code) -> (category, headline).
    Only the months asked for are protected, each on its own. A count of events of 1 to
    k-1 persons or properties is hidden whatever its size, as a count of 1 to k-1 is (a
    few people's events say too much about each of them)."""
    wanted = set(months)
    units: dict[str, dict[Unit, int]] = defaultdict(lambda: defaultdict(int))
    who: dict[str, dict[Unit, set[str]]] = defaultdict(lambda: defaultdict(set))
    for person, lsoa, dataset, code, day, n in events:
        month = month_key(day)
        if month not in wanted:
            continue
        category, headline = categories.get((dataset, code), (UNKNOWN, None))
        unit = (lsoa if lsoa in geo.ward_of else UNKNOWN, category, headline or NONE)
        units[month][unit] += n
        who[month][unit].add(person)
    cats = sorted({"health", "non_health"} | {c for c, _ in categories.values()}
                  | {u[1] for per in units.values() for u in per})
    heads = sorted({h or NONE for _, h in categories.values()}
                   | {u[2] for per in units.values() for u in per})
    counts, rank = layout(geo, cats, heads)
    tables = {}
    for month, sizes in units.items():
        keys = list(sizes)
        members = [_cells(geo, c.level, c.area, c.by, c.group, keys) for c in counts]
        few = [i for i, cells in enumerate(members)
               if 0 < len(set().union(*(who[month][u] for u in cells))) < k]
        tables[month] = protect(members, sizes, k, rank=rank, also_hide=few)
    return MonthTables(geo, cats, heads, counts, tables, {m: dict(u) for m, u in units.items()})


def profile(tables: MonthTables, level: str, by: str, months: list[str], k: int
            ) -> AreaProfile:
    """The part of the month tables a request shows: one series per area and group, its
    total over the months only where every month is shown."""
    geo = tables.geo
    groups = {"none": ["all"], "category": tables.categories,
              "headline": tables.headlines}[by]
    residents = geo.residents(level)
    overall = sum(geo.population.get(lsoa, 0) for lsoa in geo.ward_of)

    def series(lvl: str, area: str, population: int | None) -> AreaSeries:
        out = []
        for group in groups:
            values = [tables.shown(m, Count(lvl, area, by, group)) for m in months]
            total = None if any(v is None for v in values) else sum(values)
            rate = (round(1000 * total / population, 2)
                    if total is not None and population else None)
            out.append(GroupSeries(group=group, months=values, events=total,
                                   per_1000_residents=rate))
        return AreaSeries(area=area, name=geo.names.get(area), population=population,
                          groups=out)

    used = [t for m, t in tables.tables.items() if m in months]
    return AreaProfile(
        level=level, by=by, months=months,
        areas=[series(level, a, residents.get(a)) for a in geo.areas(level)],
        overall=series("all", "all", overall or None),
        disclosure=note(*used) if used else note(Protected((), (), 0, k)))
