"""HTTP request and response models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator


class UnlockBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pseudonym: str = Field(min_length=1, max_length=64)
    purpose: str = Field(min_length=1, max_length=100)
    justification: str = Field(min_length=20, max_length=2000)


class Subject(BaseModel):
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: str | None = None
    address: str | None = None
    postcode: str | None = None


class UnlockReply(BaseModel):
    subjects: list[Subject]
    access_id: int


class LocalRecord(BaseModel):
    dataset: str
    local_id: str


class PartnerLookupReply(BaseModel):
    local_ids: list[LocalRecord]
    access_id: int


class CohortMember(BaseModel):
    pseudonym: str
    level: str
    score: float
    indicators: int
    health: int
    non_health: int
    area: str | None
    raised_at: datetime


class AccessLogEntry(BaseModel):
    seq: int
    at: datetime
    sub: str
    org: str | None
    pseudonym: str | None
    rule_id: str | None
    purpose: str | None
    justification: str | None
    outcome: str
    reason: str | None
    action: str = "unlock"  # or "partner-lookup"
    prev_hash: str
    hash: str

    @field_validator("action", mode="before")
    @classmethod
    def _unlock_when_unset(cls, value):
        return value or "unlock"


class Verification(BaseModel):
    entries: int
    head: str | None
    valid: bool
    first_bad_seq: int | None
    problem: str | None = None  # chain, truncated, head-mismatch, head-signature
    signed_heads: int = 0
    bad_signed_heads: int = 0
    last_signed_seq: int | None = None
