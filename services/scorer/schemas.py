"""HTTP models of the scorer: rule documents (see rules.py) and calibration (no identities)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.common.disclosure import RULE, DisclosureNote
from services.scorer.rules import Conditions, RuleDocument, StoredRule

__all__ = ["AreaCount", "Calibration", "Current", "RuleDocument", "Rescore", "StoredRule",
           "Threshold"]


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
