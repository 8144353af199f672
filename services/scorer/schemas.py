"""HTTP models of the scorer: rule documents (see rules.py) and calibration (no identities)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.common.disclosure import DisclosureNote
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
