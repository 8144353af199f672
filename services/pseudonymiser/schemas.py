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


class ModelCheck(BaseModel):
    """How a new model compares with what is held, before it is used."""

    passed: bool
    reasons: list[str] = Field(description="Why it was refused (empty when it passed)")
    pairs_held: int = Field(description="Record pairs that are one person now")
    pairs_planned: int = Field(description="Record pairs one person under the new model")
    kept: float | None = Field(description="Share of pairs_held the new model keeps together")
    largest_person: int
    largest_planned: int
    decisions: int = Field(description="Clerical decisions both models were scored on")
    agree_current: int
    agree_new: int


class LearningJob(BaseModel):
    """A training and re-link job: running, or the last one."""

    id: int
    reason: str
    train: bool = Field(description="False: a re-link with the active model")
    force: bool
    requested_by: str | None
    state: Literal["running", "done", "refused", "failed", "cancelled"]
    stage: Literal["snapshot", "training", "indexing", "scoring", "checking", "swapping",
                   "relinking", "reviews"]
    done: int = Field(description="Units of the stage done (relinking: pieces of the plan)")
    total: int
    started_at: datetime
    finished_at: datetime | None
    records: int = Field(description="Person-level records in the snapshot")
    caught_up: int = Field(description="Records changed during the job, added before the swap")
    model_version: str | None
    pairs_scored: int
    check: ModelCheck | None
    pieces: int
    merges: int
    splits: int
    moved_records: int
    review_superseded: int
    review_queued: int
    seconds: dict[str, float] = Field(description="Seconds per stage")
    error: str | None


class ActiveModel(BaseModel):
    version: str
    created_at: datetime
    trained_on: int | None = Field(description="Held records when it was trained (none: "
                                   "read from a file)")
    relinked_at: datetime | None


class LearningStatus(BaseModel):
    active: ActiveModel | None
    in_use: str = Field(description="The version linking now (the active one, with any "
                        "thresholds the settings override)")
    held_records: int
    auto: bool = Field(description="Whether the service trains by itself")
    next_training_at: int | None = Field(description="Held records at which the policy "
                                         "trains next (after a pause in arriving batches)")
    job: LearningJob | None


class TrainRequest(RequestBody):
    force: bool = Field(False, strict=True,
                        description="Use the new model even if its check fails")


class PostcodesLoaded(BaseModel):
    postcodes: int
    households_moved: int = Field(description="Households whose LSOA changed.")
    reassigned: int = Field(description="Records assigned again with their new LSOA.")
