"""Calibration: how many persons or households each threshold would select, overall and per
area, from counts of counts (never a pseudonym); and a chart of it as hand-written SVG."""

from __future__ import annotations

from html import escape

from services.scorer.rules import Conditions, StoredRule

Row = tuple[str | None, int, int, int, int, int]  # area, indicators, health, non_health, headlines, k


def meets(row: Row, c: Conditions) -> bool:
    _, n, health, non_health, headlines, _ = row
    return (n >= c.min_indicators and health >= c.min_health and non_health >= c.min_non_health
            and headlines >= c.min_headlines)


def calibrate(rule: StoredRule, rows: list[Row]) -> dict:
    areas = sorted({r[0] for r in rows}, key=lambda a: (a is None, a or ""))
    by_area = {a: [r for r in rows if r[0] == a] for a in areas}
    base = rule.conditions

    def total(subset: list[Row], c: Conditions) -> int:
        return sum(r[5] for r in subset if meets(r, c))

    def entry(key: str, n: int, c: Conditions, without: Conditions | None) -> dict:
        out = {key: n, "count": total(rows, c), "areas": []}
        if without is not None:
            out["count_without_categories"] = total(rows, without)
        for a in areas:
            item = {"area": a, "count": total(by_area[a], c)}
            if without is not None:
                item["count_without_categories"] = total(by_area[a], without)
            out["areas"].append(item)
        return out

    thresholds = [entry("min_indicators", n, base.model_copy(update={"min_indicators": n}),
                        Conditions(min_indicators=n)) for n in range(1, 11)]
    headline_thresholds = [entry("min_headlines", n, base.model_copy(update={"min_headlines": n}),
                                 None) for n in range(0, 7)]
    current = entry("min_indicators", base.min_indicators, base, None)
    return {"rule_id": rule.id, "version": rule.version, "level": rule.level,
            "unit": "persons" if rule.level == "person" else "households",
            "conditions": base.model_dump(), "thresholds": thresholds,
            "headline_thresholds": headline_thresholds, "current": current}


def _bar(y: int, label: str, value: int, top: int, highlight: bool, x0: int = 190,
         width: int = 420) -> str:
    w = 0 if top == 0 else max(1 if value else 0, round(width * value / top))
    fill = "#c2410c" if highlight else "#94a3b8"
    weight = "bold" if highlight else "normal"
    return (f'<text x="{x0 - 8}" y="{y + 14}" text-anchor="end" font-weight="{weight}">'
            f'{escape(label)}</text>'
            f'<rect x="{x0}" y="{y}" width="{w}" height="18" fill="{fill}"/>'
            f'<text x="{x0 + w + 6}" y="{y + 14}" font-weight="{weight}">{value}</text>')


def svg(cal: dict) -> str:
    """Bars: how many each indicator threshold selects (the rule's own highlighted), then
    how many the rule selects in each area."""
    unit = cal["unit"]
    current = cal["conditions"]["min_indicators"]
    parts: list[str] = []
    y = 60
    parts.append(f'<text x="20" y="{y - 12}" font-weight="bold">{escape(unit.capitalize())} '
                 'selected at each threshold (with the rule\'s other conditions)</text>')
    top = max([t["count"] for t in cal["thresholds"]] + [1])
    for t in cal["thresholds"]:
        n = t["min_indicators"]
        parts.append(_bar(y, f"{n}+ indicators", t["count"], top, n == current))
        y += 24
    y += 36
    parts.append(f'<text x="20" y="{y - 12}" font-weight="bold">Selected by the rule as it '
                 f'stands, per area (total {cal["current"]["count"]})</text>')
    areas = cal["current"]["areas"]
    top = max([a["count"] for a in areas] + [1])
    for a in areas:
        parts.append(_bar(y, a["area"] or "no area", a["count"], top, True))
        y += 24
    height = y + 20
    title = (f'{cal["rule_id"]} v{cal["version"]}: {unit} selected by threshold '
             '(counts only, no identities)')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="720" height="{height}" '
            f'viewBox="0 0 720 {height}" font-family="sans-serif" font-size="13">'
            f'<title>{escape(title)}</title><rect width="720" height="{height}" fill="white"/>'
            f'<text x="20" y="24" font-size="16" font-weight="bold">{escape(title)}</text>'
            + "".join(parts) + "</svg>\n")
