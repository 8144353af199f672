"""Calibration: how many persons or households each threshold would select, overall and per
area, from counts of counts (never a pseudonym); and a chart of it as hand-written SVG."""

from __future__ import annotations

from collections.abc import Iterable

from services.common.charts import GREY, Chart, Rect, Text
from services.common.disclosure import note, protect
from services.scorer.rules import Conditions, StoredRule

Row = tuple[str | None, int, int, int, int, int]  # area, indicators, health, non_health, headlines, k


def meets(row: Row, c: Conditions) -> bool:
    _, n, health, non_health, headlines, _ = row
    return (n >= c.min_indicators and health >= c.min_health and non_health >= c.min_non_health
            and headlines >= c.min_headlines)


def calibrate(rule: StoredRule, rows: list[Row], k: int) -> dict:
    """Every count the calibration shows, protected together as one release: a count is a
    set of the rows (counts of counts), so overlapping thresholds and areas are checked
    against each other, not only one by one."""
    areas = sorted({r[0] for r in rows}, key=lambda a: (a is None, a or ""))
    by_area = {a: [i for i, r in enumerate(rows) if r[0] == a] for a in areas}
    everyone = range(len(rows))
    base = rule.conditions
    counts: list[list[int]] = []
    # hidden for others' sake last: the rule as it stands, then its thresholds, then the
    # other overall series, before any area's count
    rank: dict[int, int] = {}

    def count(subset: Iterable[int], c: Conditions, level: int = 0) -> int:
        counts.append([i for i in subset if meets(rows[i], c)])
        rank[len(counts) - 1] = level
        return len(counts) - 1  # a placeholder, replaced by the protected value below

    def entry(key: str, n: int, c: Conditions, without: Conditions | None = None,
              per_area: bool = True, level: int = 2) -> dict:
        out = {key: n, "count": count(everyone, c, level)}
        if without is not None:
            out["count_without_categories"] = count(everyone, without, 1)
        if per_area:
            out["areas"] = [{"area": a, "count": count(by_area[a], c)} for a in areas]
        return out

    # per area only the counts a threshold is chosen from: each further series per area
    # would be checked against every other and hide more than it shows
    thresholds = [entry("min_indicators", n, base.model_copy(update={"min_indicators": n}),
                        Conditions(min_indicators=n)) for n in range(1, 11)]
    headline_thresholds = [entry("min_headlines", n, base.model_copy(update={"min_headlines": n}),
                                 per_area=False, level=1) for n in range(0, 7)]
    current = entry("min_indicators", base.min_indicators, base, level=3)
    protected = protect(counts, {i: r[5] for i, r in enumerate(rows)}, k, rank=rank)
    for e in [*thresholds, *headline_thresholds, current]:
        for item in [e, *e.get("areas", [])]:
            for key in ("count", "count_without_categories"):
                if key in item:
                    item[key] = protected.shown(item[key])
    return {"rule_id": rule.id, "version": rule.version, "level": rule.level,
            "unit": "persons" if rule.level == "person" else "households",
            "conditions": base.model_dump(), "thresholds": thresholds,
            "headline_thresholds": headline_thresholds, "current": current,
            "disclosure": note(protected)}


HIGHLIGHT, OTHER = "#c2410c", "#94a3b8"


def _bar(y: int, label: str, value: int | None, top: int, highlight: bool, x0: int = 190,
         width: int = 420) -> list:
    """One labelled bar; a hidden count has no bar and says so."""
    if value is None:
        return [Text(x0 - 8, y + 14, label, anchor="end"), Text(x0, y + 14, "hidden", fill=GREY)]
    w = 0 if top == 0 else max(1 if value else 0, round(width * value / top))
    return [Text(x0 - 8, y + 14, label, anchor="end", bold=highlight),
            Rect(x0, y, w, 18, HIGHLIGHT if highlight else OTHER),
            Text(x0 + w + 6, y + 14, str(value), bold=highlight)]


def _total(count: int | None) -> str:
    return "hidden" if count is None else str(count)


def chart(cal: dict) -> Chart:
    """Bars: how many each indicator threshold selects (the rule's own highlighted), then
    how many the rule selects in each area; written as SVG or PNG (services.common.charts)."""
    unit = cal["unit"]
    current = cal["conditions"]["min_indicators"]
    title = (f'{cal["rule_id"]} v{cal["version"]}: {unit} selected by threshold '
             '(counts only, no identities)')
    shapes: list = [Text(20, 24, title, 16, bold=True)]
    y = 60
    shapes.append(Text(20, y - 12, f"{unit.capitalize()} selected at each threshold (with "
                       "the rule's other conditions)", bold=True))
    top = max([t["count"] or 0 for t in cal["thresholds"]] + [1])
    for t in cal["thresholds"]:
        n = t["min_indicators"]
        shapes += _bar(y, f"{n}+ indicators", t["count"], top, n == current)
        y += 24
    y += 36
    shapes.append(Text(20, y - 12, "Selected by the rule as it stands, per area (total "
                       f'{_total(cal["current"]["count"])})', bold=True))
    areas = cal["current"]["areas"]
    top = max([a["count"] or 0 for a in areas] + [1])
    for a in areas:
        shapes += _bar(y, a["area"] or "no area", a["count"], top, True)
        y += 24
    return Chart(720, y + 20, title, shapes)
