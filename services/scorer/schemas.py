"""HTTP models of the scorer: rule documents (see rules.py) and calibration (no identities)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from services.common.disclosure import RULE, DisclosureNote
from services.scorer.rules import Conditions, Measure, RuleDocument, StoredRule

__all__ = ["AreaCount", "Calibration", "Current", "JsonSchema", "RuleDocument", "Rescore",
           "StoredRule", "Threshold"]


class AreaCount(BaseModel):
    area: str | None
    count: int | None = Field(description="null when hidden by the disclosure rule")


class Threshold(BaseModel):
    min_indicators: int
    count: int | None
    count_without_categories: int | None = Field(
        description="selected at this threshold without the rule's other conditions")
    areas: list[AreaCount]


class HeadlineThreshold(BaseModel):
    min_headlines: int
    count: int | None


class Current(BaseModel):
    min_indicators: int
    count: int | None
    areas: list[AreaCount]


class Calibration(BaseModel):
    """How many each threshold of a rule would select, overall and per area; a count that
    could single anyone out is null, and ``disclosure`` says how many were hidden."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "rule_id": "troubled-families-phase-two", "version": 1, "level": "household",
        "unit": "households",
        "conditions": {"min_indicators": 2, "min_health": 0, "min_non_health": 0,
                       "min_headlines": 2},
        "thresholds": [
            {"min_indicators": 2, "count": 140, "count_without_categories": 180,
             "areas": [{"area": "OL1", "count": 60}, {"area": "OL8", "count": 80}]},
            {"min_indicators": 3, "count": 45, "count_without_categories": 52,
             "areas": [{"area": "OL1", "count": 20}, {"area": "OL8", "count": None}]}],
        "headline_thresholds": [{"min_headlines": 2, "count": 140}],
        "current": {"min_indicators": 2, "count": 140,
                    "areas": [{"area": "OL1", "count": 60}, {"area": "OL8", "count": 80}]},
        "disclosure": {"rule": RULE, "threshold": 10, "counts": 12, "hidden": 1,
                       "secondary": 0}}]})
    rule_id: str
    version: int
    level: str
    unit: str
    conditions: Conditions
    thresholds: list[Threshold]
    headline_thresholds: list[HeadlineThreshold]
    current: Current
    disclosure: DisclosureNote


class Rescore(BaseModel):
    request_id: str
    levels: list[str]


class RescoreStatus(BaseModel):
    """Progress of a bulk re-score (counts only)."""

    request_id: str
    levels: list[str]
    requested_at: datetime
    finished_at: datetime | None
    profiles: int
    flag_changes: int
    chunks: dict[str, int]


# --- cohorts, outcomes and journeys (docs/outcomes.md) -----------------------------------

MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
JourneyState = Literal["identified", "attached", "in_progress", "claim_pending", "claimed",
                       "closed"]


class MeasureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    through: str | None = Field(None, pattern=MONTH, description=(
        "Measure every member at each month end through this month (YYYY-MM, ended); "
        "default the last month ended"))


class Measured(BaseModel):
    through: str
    members: int = Field(description="cohort members measured (each at every month end "
                                     "it had not been measured at)")


class ClaimRow(BaseModel):
    cohort_month: str = Field(description="The month the families were identified (YYYY-MM)")
    headline: str | None = Field(description="A headline problem at identification; null: "
                                             "every family of the cohort month")
    measure: str | None = Field(description="null: the row counts families alone")
    families: int | None = None
    eligible: int | None = Field(None, description="families measured on the measure")
    met: int | None = Field(None, description="families that met it")
    claimed: int | None = Field(None, description="families it was claimed for")


class ClaimsReport(BaseModel):
    """Counts per cohort month, headline problem and outcome measure, for payment-by-results
    claims; a count that could single a family out is null (docs/disclosure.md)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "rule_id": "troubled-families-phase-two", "version": 1, "unit": "households",
        "measured_through": "2026-11",
        "measures": [{"id": "no-police-callouts", "title": "No police call-outs for six "
                      "months", "headline": "crime-asb", "none": ["POL2", "POL3"],
                      "every_month": [], "had": None, "sustained_for": "P6M"}],
        "rows": [{"cohort_month": "2026-03", "headline": None, "measure": None,
                  "families": 120, "eligible": None, "met": None, "claimed": None},
                 {"cohort_month": "2026-03", "headline": None,
                  "measure": "no-police-callouts", "families": None, "eligible": 64,
                  "met": 31, "claimed": None}],
        "disclosure": {"rule": RULE, "threshold": 10, "counts": 4, "hidden": 1,
                       "secondary": 0}}]})
    rule_id: str
    version: int
    unit: str
    measured_through: str | None = Field(description="Every member measured through this month")
    measures: list[Measure]
    rows: list[ClaimRow]
    disclosure: DisclosureNote | None


class StateChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: JourneyState
    keyworker: str | None = Field(None, min_length=1, max_length=200, description=(
        "The keyworker's token subject: named when, and only when, attaching"))


class Step(BaseModel):
    state: JourneyState
    keyworker: str | None
    by: str
    at: datetime


class MetMeasure(BaseModel):
    measure: str
    month: str
    claimed: bool


class Window(BaseModel):
    measure: str
    month: str = Field(description="The first month at whose end it would hold if nothing "
                                   "more happened")


class Family(BaseModel):
    """A family's journey, without its codes: pseudonym, state, keyworker and steps."""

    rule_id: str
    pseudonym: str
    area: str | None
    identified_on: date
    state: JourneyState
    keyworker: str | None
    headlines: list[str]
    score: float
    eligible: list[str]
    met: list[MetMeasure]
    windows: list[Window]
    steps: list[Step]


class StateCount(BaseModel):
    identified: int
    attached: int
    in_progress: int
    claim_pending: int
    claimed: int
    closed: int


class MeasureCount(BaseModel):
    measure: str
    title: str
    met: int
    claimed: int


class Closest(BaseModel):
    pseudonym: str
    state: JourneyState
    area: str | None
    claimable_now: bool = Field(description="has met a measure not yet claimed")
    next_window: str | None
    measure: str | None


class Complex(BaseModel):
    pseudonym: str
    state: JourneyState
    area: str | None
    score: float
    headlines: list[str]
    indicators: int = Field(description="distinct indicators in the 12 months before "
                                        "identification")


class JourneyOverview(BaseModel):
    """The co-ordinator's view: families per state, measures claimed most to least, the
    families closest to a claim and the most complex (pseudonyms, never codes)."""

    rule_id: str
    families: int
    states: StateCount
    measures: list[MeasureCount]
    closest_to_claim: list[Closest]
    most_complex: list[Complex]


class CodedEvent(BaseModel):
    dataset: str
    code: str
    occurred_on: date
    occurrences: int


class MonthMeasured(BaseModel):
    month: str
    counts: dict
    met: list[str]


class History(BaseModel):
    """The family's indicator history, for its keyworker only: which codes, when."""

    rule_id: str
    pseudonym: str
    state: JourneyState
    identified_on: date
    baseline: dict
    events: list[CodedEvent]
    measurements: list[MonthMeasured]
    met: list[MetMeasure]


class Allocation(BaseModel):
    rule_id: str
    pseudonym: str
    state: JourneyState
    area: str | None
    identified_on: date


class JsonSchema(RootModel[dict[str, Any]]):
    """A JSON Schema document (draft 2020-12), as pydantic writes it."""
