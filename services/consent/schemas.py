"""HTTP request and response models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from services.common.schemas import IsoDate, RequestBody

SCOPE = r"^(all|partner:[A-Za-z0-9._-]{1,100}|purpose:[A-Za-z0-9._-]{1,100})$"


class DecisionBody(RequestBody):
    pseudonym: str = Field(min_length=1, max_length=64)
    status: Literal["opt_out", "consent", "withdrawn"]
    scope: str = Field(default="all", pattern=SCOPE)
    evidence: str | None = Field(default=None, max_length=500)
    notice_version: str | None = Field(default=None, max_length=50)
    decided_on: IsoDate


class DecisionOut(BaseModel):
    decision_id: str
    pseudonym: str
    household: str | None
    status: str
    scope: str
    evidence: str | None
    notice_version: str | None
    decided_on: date
    recorded_at: datetime
    source: str
    agreement: str | None = None  # of the opt-out list it came from
    effective: bool


class DecisionList(BaseModel):
    pseudonym: str
    decisions: list[DecisionOut]
    effective: dict[str, str] = Field(description="scope -> the effective decision_id")
