"""HTTP request and response models of the clerical review queue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from services.common.schemas import RequestBody


class ReviewRecord(BaseModel):
    """One side of a pair, as a linkage officer needs it to decide (identity only)."""

    record_token: str
    partner: str
    dataset: str
    given_name: str | None
    family_name: str | None
    date_of_birth: date | None
    sex: str | None
    address: str | None
    postcode: str | None


class ReviewPairOut(BaseModel):
    pair_id: str
    probability: float
    model_version: str
    status: Literal["pending", "match", "non_match"]
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime
    records: list[ReviewRecord]


class ReviewDecision(RequestBody):
    decision: Literal["match", "non_match"]


class ReviewOutcome(BaseModel):
    pair: ReviewPairOut
    changes: int  # merges or splits this decision made (0 or 1)
    reassigned: int  # records re-assigned and published
