"""The demo's outcomes part: after the borough has been scored, measure the cohort, print
the claims counts beside the generator's truth, walk one family along its journey (a
co-ordinator attaches a keyworker, who alone reads its history) and save the charts.

It prints counts and states only, never a pseudonym's codes or an identity. The truth
is comparable when the scorer's day is the borough's as_of (TESSERA_SCORER_TODAY) and
the borough was generated with follow-up months up to today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from html import escape
from pathlib import Path

import httpx
import yaml

from services.scorer.rules import whole_months
from synthetic.borough import Borough
from synthetic.truth import first_met, household_events, households_flagged

RULE_ID = "troubled-families-phase-two"
REGISTRY = Path(__file__).resolve().parent / "config" / "registry.yaml"
KEYWORKER, OTHER = "demo-keyworker", "demo-other-keyworker"
TokenFactory = Callable[..., str]


def last_ended(today: date) -> date:
    return today.replace(day=1) - timedelta(days=1)


def truth_counts(borough: Borough, measures: list[dict], through: date) -> dict[str, int]:
    """Households the rule flags as of as_of, and per measure those the truth says met it
    by the month end `through` (identified on as_of)."""
    registry = yaml.safe_load(REGISTRY.read_text())
    headline_of = {code: c["headline"] for ds in registry["datasets"]
                   for code, c in ds["codes"].items()}
    flagged = households_flagged(borough.truth, headline_of)
    out = {"families": len(flagged)}
    for x in measures:
        none = set(x.get("none") or [])
        had = set(x["had"]) if x.get("had") is not None else none
        months = whole_months(x["sustained_for"])
        out[x["id"]] = sum(1 for h in flagged if first_met(
            household_events(borough.truth, h), none, had, months, borough.as_of, through))
    return out


def bars(title: str, items: list[tuple[str, int | None]]) -> str:
    """A horizontal bar chart as SVG; a hidden count says so instead of a bar."""
    top = max([v or 0 for _, v in items] + [1])
    rows = []
    for i, (label, value) in enumerate(items):
        y = 50 + 26 * i
        rows.append(f'<text x="232" y="{y + 14}" text-anchor="end">{escape(label)}</text>')
        if value is None:
            rows.append(f'<text x="240" y="{y + 14}" fill="#505a5f">hidden</text>')
            continue
        w = round(420 * value / top)
        rows.append(f'<rect x="240" y="{y}" width="{w}" height="18" fill="#1d70b8"/>'
                    f'<text x="{246 + w}" y="{y + 14}">{value}</text>')
    height = 70 + 26 * len(items)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="760" height="{height}" '
            f'font-family="sans-serif" font-size="13"><title>{escape(title)}</title>'
            f'<rect width="760" height="{height}" fill="white"/>'
            f'<text x="20" y="28" font-size="16" font-weight="bold">{escape(title)}</text>'
            + "".join(rows) + "</svg>\n")


def save_charts(folder: Path, charts: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, svg in charts.items():
        (folder / name).write_text(svg)


async def show_outcomes(client: httpx.AsyncClient, scorer_url: str,
                        token_factory: TokenFactory, borough: Borough,
                        out: Callable[[str], None] = print, charts: Path | None = None,
                        today: date | None = None) -> dict:
    """Measure, report, walk one family and save the charts; returns what it showed."""
    base = scorer_url.rstrip("/")

    def auth(*roles: str, subject: str = "demo-user") -> dict[str, str]:
        token = token_factory(service="scorer", subject=subject, roles=list(roles))
        return {"Authorization": f"Bearer {token}"}

    measured = (await client.post(f"{base}/v1/outcomes/measure", json={},
                                  headers=auth("admin"))).raise_for_status().json()
    report = (await client.get(f"{base}/v1/outcomes/{RULE_ID}/claims",
                               headers=auth("coordinator"))).raise_for_status().json()
    through = measured["through"]
    out(f"outcomes {RULE_ID}: {measured['members']} cohort members measured through "
        f"{through}")
    totals = [r for r in report["rows"] if r["headline"] is None]
    month = borough.as_of.strftime("%Y-%m")
    truth = truth_counts(borough, report["measures"], last_ended(today or date.today()))
    out(f"{'cohort':<9}{'measure':<22}{'families':>9}{'measured':>9}{'met':>6}"
        f"{'claimed':>8}{'truth':>7}")
    shown = lambda v: "-" if v is None else str(v)  # noqa: E731
    for r in totals:
        expected = "" if r["cohort_month"] != month else truth.get(
            r["measure"] or "families", "")
        count = r["families"] if r["measure"] is None else r["met"]
        out(f"{r['cohort_month']:<9}{(r['measure'] or 'all families'):<22}"
            f"{shown(count) if r['measure'] is None else '':>9}"
            f"{shown(r['eligible']) if r['measure'] else '':>9}"
            f"{shown(r['met']) if r['measure'] else '':>6}"
            f"{shown(r['claimed']) if r['measure'] else '':>8}{str(expected):>7}")
    d = report["disclosure"] or {}
    out(f"disclosure: k={d.get('threshold')} hidden {d.get('hidden', 0)} of "
        f"{d.get('counts', 0)} counts")

    overview = (await client.get(f"{base}/v1/outcomes/{RULE_ID}/journey",
                                 headers=auth("coordinator"))).raise_for_status().json()
    walked = {}
    if overview["closest_to_claim"] or overview["most_complex"]:
        family = (overview["closest_to_claim"] or overview["most_complex"])[0]["pseudonym"]
        url = f"{base}/v1/outcomes/{RULE_ID}/families/{family}"
        (await client.post(f"{url}/state", headers=auth("coordinator"),
                           json={"state": "attached", "keyworker": KEYWORKER})
         ).raise_for_status()
        mine = await client.get(f"{url}/history",
                                headers=auth("caseworker", subject=KEYWORKER))
        other = await client.get(f"{url}/history", headers=auth("caseworker", subject=OTHER))
        walked = {"keyworker": mine.status_code, "other": other.status_code,
                  "codes": len(mine.json().get("events", [])) if mine.is_success else 0}
        out(f"one family attached to {KEYWORKER}: its history {mine.status_code} "
            f"({walked['codes']} dated codes); another keyworker {other.status_code}")
        overview = (await client.get(f"{base}/v1/outcomes/{RULE_ID}/journey",
                                     headers=auth("coordinator"))).raise_for_status().json()
    out("journey: " + ", ".join(f"{s} {n}" for s, n in overview["states"].items()))
    if overview["closest_to_claim"]:
        ready = sum(1 for x in overview["closest_to_claim"] if x["claimable_now"])
        out(f"closest to a claim: {ready} of the first {len(overview['closest_to_claim'])} "
            "have met a measure not yet claimed")
    if charts is not None:
        met = [(r["measure"], r["met"]) for r in totals if r["measure"]]
        save_charts(charts, {
            "outcomes-met.svg": bars(f"{RULE_ID}: households that met each measure "
                                     f"(through {through})", met),
            "journey-states.svg": bars(f"{RULE_ID}: families per journey state",
                                       list(overview["states"].items()))})
        out(f"charts saved in {charts}")
    return {"measured": measured, "report": report, "truth": truth, "journey": overview,
            "walked": walked}
