"""HTTP models of the scorer: rule documents (see rules.py) and calibration (no identities)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from services.scorer.rules import Conditions, RuleDocument, StoredRule

__all__ = ["AreaCount", "Calibration", "Current", "RuleDocument", "Rescore", "StoredRule",
           "Threshold"]


class AreaCount(BaseModel):
    area: str | None
    count: int
    count_without_categories: int


class Threshold(BaseModel):
    min_indicators: int
    count: int
    count_without_categories: int
    areas: list[AreaCount]


class CurrentArea(BaseModel):
    area: str | None
    count: int


class HeadlineThreshold(BaseModel):
    min_headlines: int
    count: int
    areas: list[CurrentArea]


class Current(BaseModel):
    min_indicators: int
    count: int
    areas: list[CurrentArea]


class Calibration(BaseModel):
    rule_id: str
    version: int
    level: str
    unit: str
    conditions: Conditions
    thresholds: list[Threshold]
    headline_thresholds: list[HeadlineThreshold]
    current: Current


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
