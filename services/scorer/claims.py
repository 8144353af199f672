"""Outcome counts for payment-by-results claims: per cohort month and headline problem,
families, those measured on each outcome, those that met it and those claimed. Counts of
pseudonyms, protected together under the disclosure rule; never a pseudonym."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from services.common.disclosure import DisclosureNote, note, protect
from services.common.export import csv_text
from services.scorer import measures
from services.scorer.models import CohortMember, OutcomeMet
from services.scorer.rules import StoredRule

ALL = None  # the row of every headline problem
COLUMNS = ["cohort_month", "headline", "measure", "families", "eligible", "met", "claimed"]


def release(counts: Sequence[set[Hashable]], k: int, rank: dict[int, int]
            ) -> tuple[list[int | None], DisclosureNote]:
    """The disclosure rule on one release of counts of families (each family one unit).

    The one place outcome counts meet services.common.disclosure: primary and secondary
    suppression as that module applies them to every aggregate output."""
    sizes = {unit: 1 for members in counts for unit in members}
    protected = protect(counts, sizes, k, rank=rank)
    return [protected.shown(i) for i in range(len(counts))], note(protected)


def tally(rule: StoredRule, members: list[CohortMember], met: list[OutcomeMet]
          ) -> list[dict]:
    """The sets behind every count (pseudonyms), one row per cohort month, headline problem
    (ALL first) and measure (None: families alone)."""
    eligible = {(x.pseudonym, e) for x in members for e in x.eligible.split()}
    met_by = {(r.pseudonym, r.measure): r for r in met}
    months = sorted({measures.month_of(x.identified_on) for x in members})
    heads = sorted({h for x in members for h in x.headlines.split()})
    rows = []
    for month in months:
        cohort = [x for x in members if measures.month_of(x.identified_on) == month]
        for headline in [ALL, *heads]:
            group = [x for x in cohort if headline is ALL or headline in x.headlines.split()]
            if headline is not ALL and not group:
                continue
            families = {x.pseudonym for x in group}
            rows.append({"cohort_month": month, "headline": headline, "measure": None,
                         "families": families})
            for measure in rule.outcomes.measures if rule.outcomes else []:
                on = {p for p in families if (p, measure.id) in eligible}
                done = {p for p in on if (p, measure.id) in met_by}
                claimed = {p for p in done if met_by[(p, measure.id)].claimed_at is not None}
                rows.append({"cohort_month": month, "headline": headline,
                             "measure": measure.id, "eligible": on, "met": done,
                             "claimed": claimed})
    return rows


def protected_rows(rows: list[dict], k: int) -> tuple[list[dict], DisclosureNote | None]:
    """Every count of the rows as the disclosure rule lets it out: totals outrank the
    breakdowns by headline problem, families outrank the measures."""
    counts: list[set] = []
    rank: dict[int, int] = {}
    where: list[tuple[int, str]] = []
    for i, row in enumerate(rows):
        for key in ("families", "eligible", "met", "claimed"):
            if key in row:
                rank[len(counts)] = (2 if row["headline"] is ALL else 0) + (
                    1 if key == "families" else 0)
                counts.append(row[key])
                where.append((i, key))
    if not counts:
        return [], None
    shown, disclosure = release(counts, k, rank)
    out = [{c: row.get(c) for c in ("cohort_month", "headline", "measure")} for row in rows]
    for (i, key), value in zip(where, shown, strict=True):
        out[i][key] = value
    return out, disclosure


def csv_rows(rows: list[dict]) -> str:
    return csv_text([{**r, "headline": r["headline"] or "all", "measure": r["measure"] or ""}
                     for r in rows], COLUMNS)


def report(rule: StoredRule, members: list[CohortMember], met: list[OutcomeMet], k: int
           ) -> dict:
    """The claims release of a rule's cohort: every count protected together."""
    rows, disclosure = protected_rows(tally(rule, members, met), k)
    through = min((x.measured_through for x in members if x.measured_through), default=None)
    return {"rule_id": rule.id, "version": rule.version,
            "unit": "persons" if rule.level == "person" else "households",
            "measured_through": through,
            "measures": [x.model_dump() for x in rule.outcomes.measures] if rule.outcomes else [],
            "rows": rows, "disclosure": disclosure}
