"""Rule set documents (validated with pydantic) and the counting that evaluates them.

Pure functions: no SQL, no I/O. A profile's counts are distinct codes in the window
(today - window, today], by category and headline problem; unknown codes do not count.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


def parse_duration(text: str) -> tuple[int, int]:
    """An ISO 8601 date duration (PnYnMnWnD) as (months, days)."""
    match = DURATION.match(text or "")
    if not match or text == "P":
        raise ValueError("window must be an ISO 8601 duration such as P6M or P180D")
    years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
    total_months, total_days = years * 12 + months, weeks * 7 + days
    if total_months == 0 and total_days == 0:
        raise ValueError("window must be longer than zero")
    return total_months, total_days


def window_start(today: date, window: str) -> date:
    """The exclusive start of the window ending today: calendar months, clamped."""
    months, days = parse_duration(window)
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    start = date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    return start - timedelta(days=days)


class Conditions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_indicators: int = Field(1, ge=1, le=1000)
    min_health: int = Field(0, ge=0, le=1000)
    min_non_health: int = Field(0, ge=0, le=1000)
    min_headlines: int = Field(0, ge=0, le=1000)


class Weights(BaseModel):
    model_config = ConfigDict(extra="forbid")
    indicator: float = 1.0
    health: float = 0.0
    non_health: float = 0.0
    headline: float = 0.0


class RuleDocument(BaseModel):
    """A rule set as an administrator writes it (the version is assigned on storing)."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = Field(min_length=1, max_length=200)
    level: Literal["person", "household"]
    window: str = "P6M"
    purposes: list[str] = Field(min_length=1)
    conditions: Conditions = Conditions()
    weights: Weights = Weights()

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        parse_duration(value)
        return value


class StoredRule(RuleDocument):
    version: int


@dataclass(frozen=True)
class Counts:
    indicators: int = 0
    health: int = 0
    non_health: int = 0
    headlines: int = 0


def count(events: Iterable[tuple[str, date]], categories: dict[str, tuple[str, str | None]],
          start: date, today: date) -> Counts:
    codes = {code for code, on in events if start < on <= today and code in categories}
    health = sum(1 for c in codes if categories[c][0] == "health")
    headlines = {categories[c][1] for c in codes if categories[c][1]}
    return Counts(len(codes), health, len(codes) - health, len(headlines))


def holds(c: Counts, conditions: Conditions) -> bool:
    return (c.indicators >= conditions.min_indicators and c.health >= conditions.min_health
            and c.non_health >= conditions.min_non_health
            and c.headlines >= conditions.min_headlines)


def score(c: Counts, w: Weights) -> float:
    return round(w.indicator * c.indicators + w.health * c.health
                 + w.non_health * c.non_health + w.headline * c.headlines, 4)


def blocked_by(rule: RuleDocument, scopes: set[str]) -> bool:
    """Whether a person's opt-outs forbid flagging them under this rule."""
    return "all" in scopes or any(f"purpose:{p}" in scopes for p in rule.purposes)
