"""HTTP request and response models of the clerical review queue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

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


class FieldEvidence(BaseModel):
    comparison: str = Field(description="The model's comparison (given_name, dob, ...)")
    level: str = Field(description="How the two records compare on it")
    match_weight: float = Field(description="log2(m/u) of that level: above 0 counts for "
                                "a match, below against; 0 where a value is missing")


class ReviewPairOut(BaseModel):
    pair_id: str
    probability: float
    model_version: str
    status: Literal["pending", "match", "non_match", "superseded"]
    resolution: Literal["same-person", "record-gone", "below-review"] | None = Field(
        default=None, description="Why a superseded pair left the queue: its records are "
        "now one person, one of them is no longer held, or the current model scores it "
        "below the review band")
    band: Literal["link", "review", "no_link"] = Field(
        description="The band of `probability` under the current thresholds")
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime
    records: list[ReviewRecord]
    evidence: list[FieldEvidence] = Field(
        default=[], description="Each comparison's level and weight under the current "
        "model (before term-frequency adjustments)")


class ReviewDecision(RequestBody):
    decision: Literal["match", "non_match"]


class ReviewOutcome(BaseModel):
    pair: ReviewPairOut
    changes: int  # merges or splits this decision made (0 or 1)
    reassigned: int  # records re-assigned and published
