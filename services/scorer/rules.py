"""Rule set documents (validated with pydantic) and the counting that evaluates them.

Pure functions: no SQL, no I/O. A profile's counts are distinct indicators in the window
(today - window, today], by category and headline problem; unknown codes do not count.
A code belongs to the dataset that defines it (``CodeKey``: two datasets may use one
code name for different things). An indicator is a dataset's code, or, where the rule
maps codes to named indicators, the group of codes it names: ``GP1`` names that code in
every dataset, ``gp-p81001/GP1`` in one. The scorer knows each code's category and
headline, never its meaning.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.common import durations
from services.common.durations import months_and_days
from services.common.messages import Category, Headline


def parse_duration(text: str) -> tuple[int, int]:
    """An ISO 8601 date duration (PnYnMnWnD) as (months, days)."""
    try:
        months, days = months_and_days(durations.parse_duration(text))
    except ValueError:
        raise ValueError("window must be an ISO 8601 duration such as P6M or P180D") from None
    if months == 0 and days == 0:
        raise ValueError("window must be longer than zero")
    return months, days


def window_start(today: date, window: str) -> date:
    """The exclusive start of the window ending today: calendar months, clamped."""
    months, days = parse_duration(window)
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    start = date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    return start - timedelta(days=days)


CodeKey = tuple[str, str]  # (dataset, code)
Categories = dict[CodeKey, tuple[str, str | None]]  # -> (category, headline)


def qualified(key: CodeKey) -> str:
    """How a rule names one dataset's code: ``dataset/code``."""
    return f"{key[0]}/{key[1]}"


@lru_cache(maxsize=4096)
def leaves_on(last: date, window: str) -> date:
    """The first day on which an event that occurred on `last` is outside the window."""
    months, days = parse_duration(window)
    index = last.year * 12 + last.month - 1 + months
    year, month = divmod(index, 12)
    t = date(year, month + 1, min(last.day, calendar.monthrange(year, month + 1)[1]))
    t += timedelta(days=days)
    while window_start(t - timedelta(days=1), window) >= last:
        t -= timedelta(days=1)
    while window_start(t, window) < last:
        t += timedelta(days=1)
    return t


class CodeSelection(BaseModel):
    """Which codes count, by category and headline problem, and optionally how codes group
    into named indicators (a code named by no indicator then does not count). An indicator
    lists codes as ``CODE`` (that code in every dataset) or ``dataset/CODE`` (one
    dataset's); a dataset's code named both ways belongs to the ``dataset/CODE`` one."""

    model_config = ConfigDict(extra="forbid")
    categories: list[Category] = Field(default=["health", "non_health"], min_length=1)
    headlines: list[Headline] | None = None  # None: every code, with or without a headline
    indicators: dict[str, list[str]] | None = None

    @field_validator("indicators")
    @classmethod
    def _indicators(cls, value):
        if value is None:
            return value
        if not value or any(not codes for codes in value.values()):
            raise ValueError("each indicator names at least one code")
        seen: set[str] = set()
        for codes in value.values():
            if seen & set(codes):
                raise ValueError("a code may belong to one indicator only")
            seen |= set(codes)
        return value


class Conditions(BaseModel):
    # strict: true or false is not a count (lax mode would read them as 1 and 0)
    model_config = ConfigDict(extra="forbid", strict=True)
    min_indicators: int = Field(1, ge=1, le=1000)
    min_health: int = Field(0, ge=0, le=1000)
    min_non_health: int = Field(0, ge=0, le=1000)
    min_headlines: int = Field(0, ge=0, le=1000)


class Weights(BaseModel):
    # strict: true or false is not a weight; an integer still is
    model_config = ConfigDict(extra="forbid", strict=True)
    indicator: float = 1.0
    health: float = 0.0
    non_health: float = 0.0
    headline: float = 0.0


def whole_months(text: str) -> int:
    months, days = parse_duration(text)
    if days:
        raise ValueError("the period must be whole months, such as P6M or P1Y")
    return months


class Measure(BaseModel):
    """One outcome, as the programme defines 'significant and sustained progress'."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = Field(min_length=1, max_length=200)
    headline: Headline | None = Field(
        None, description="The headline problem this is progress against (for reports)")
    none: list[str] = Field([], description="No event of these codes in the period")
    every_month: list[str] = Field(
        [], description="An event of one of these codes in each month of the period")
    had: list[str] | None = Field(
        None, description="Measured only for families with one of these codes in the 12 "
                          "months before identification; default the `none` codes")
    sustained_for: str = Field("P6M", description="The period, whole months (ISO 8601)")

    @field_validator("sustained_for")
    @classmethod
    def _period(cls, value: str) -> str:
        whole_months(value)
        return value

    @model_validator(mode="after")
    def _some_codes(self):
        if not self.none and not self.every_month:
            raise ValueError("a measure names `none` codes, `every_month` codes or both")
        return self

    @property
    def months(self) -> int:
        return whole_months(self.sustained_for)

    @property
    def had_codes(self) -> list[str]:
        return self.had if self.had is not None else self.none


class Outcomes(BaseModel):
    """A rule set's outcome measures: flagging under it enrols a family in its cohort."""

    model_config = ConfigDict(extra="forbid")
    measures: list[Measure] = Field(min_length=1, max_length=20)

    @field_validator("measures")
    @classmethod
    def _unique(cls, value: list[Measure]) -> list[Measure]:
        if len({m.id for m in value}) != len(value):
            raise ValueError("measure ids must be unique")
        return value


class RuleDocument(BaseModel):
    """A rule set as an administrator writes it (the version is assigned on storing)."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = Field(min_length=1, max_length=200)
    level: Literal["person", "household"]
    window: str = "P6M"
    purposes: list[str] = Field(min_length=1)
    description: str | None = Field(None, max_length=4000)
    codes: CodeSelection = CodeSelection()
    conditions: Conditions = Conditions()
    weights: Weights = Weights()
    outcomes: Outcomes | None = Field(
        None, description="Outcome measures: a family flagged under this rule joins its "
                          "cohort and is measured each month (docs/outcomes.md)")

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        parse_duration(value)
        return value


class StoredRule(RuleDocument):
    version: int


def needs_rescore(rule: RuleDocument, previous: RuleDocument | None) -> bool:
    """Whether stored counts no longer hold for the new version (profiles must be re-read)."""
    return previous is None or (rule.level, rule.window, rule.codes) != (
        previous.level, previous.window, previous.codes)


@dataclass(frozen=True)
class Counts:
    indicators: int = 0
    health: int = 0
    non_health: int = 0
    headlines: int = 0


class Compiled:
    """A rule's code selection resolved against the known categories, for fast counting:
    ``key`` maps each selected (dataset, code) to (indicator, is health, headline)."""

    def __init__(self, rule: RuleDocument, categories: Categories):
        sel = rule.codes
        group = ({code: name for name, codes in sel.indicators.items() for code in codes}
                 if sel.indicators is not None else None)
        self.key: dict[CodeKey, tuple[str, bool, str | None]] = {}
        for code_key, (category, headline) in categories.items():
            if category not in sel.categories:
                continue
            if sel.headlines is not None and headline not in sel.headlines:
                continue
            name = qualified(code_key)
            if group is not None:
                name = group.get(name) or group.get(code_key[1])
                if name is None:
                    continue
            self.key[code_key] = (name, category == "health", headline)

    def evaluate(self, events: Iterable[tuple[CodeKey, object]], start, today):
        """Counts, the latest in-window date of the indicator that leaves first, and the
        earliest selected event after today (dates or ordinals, as long as comparable)."""
        key = self.key
        last: dict[str, object] = {}
        health: set[str] = set()
        headlines: set[str] = set()
        future = None
        for code, on in events:
            k = key.get(code)
            if k is None or on <= start:
                continue
            if on > today:
                if future is None or on < future:
                    future = on
                continue
            name = k[0]
            seen = last.get(name)
            if seen is None or on > seen:
                last[name] = on
            if k[1]:
                health.add(name)
            if k[2]:
                headlines.add(k[2])
        n = len(last)
        return (Counts(n, len(health), n - len(health), len(headlines)),
                min(last.values()) if last else None, future)


def next_change(rule: RuleDocument, oldest, future) -> date | None:
    """The day on which a profile's counts next change with no new events."""
    leave = leaves_on(oldest, rule.window) if oldest is not None else None
    return min((d for d in (leave, future) if d is not None), default=None)


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
