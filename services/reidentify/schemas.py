"""HTTP request and response models."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class UnlockBody(BaseModel):
    """Whom to unlock (a pseudonym from a cohort), for which of the token's purposes, and
    why: the justification is kept in the access log."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "pseudonym": "p-7Q2M9K4R1XW3", "purpose": "early-help-triage",
        "justification": "Family flagged by the school and the GP; arranging a first "
                         "early-help visit."}]})

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
    """The identities released (one for a person; each member for a household) and the
    access log entry that records the release."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "subjects": [{"given_name": "Alex", "family_name": "Example",
                      "date_of_birth": "2014-03-02", "address": "1 Example Street",
                      "postcode": "OL9 9ZZ"}],
        "access_id": 42}]})
    subjects: list[Subject]
    access_id: int


class LocalRecord(BaseModel):
    dataset: str
    local_id: str


class PartnerLookupReply(BaseModel):
    local_ids: list[LocalRecord]
    access_id: int


class CohortMember(BaseModel):
    """A flagged person or household, by pseudonym, with the counts that flagged it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "pseudonym": "p-7Q2M9K4R1XW3", "level": "person", "score": 3.0, "indicators": 3,
        "health": 1, "non_health": 2, "area": "OL8", "raised_at": "2026-02-01T09:30:00Z"}]})
    pseudonym: str
    level: str
    score: float
    indicators: int
    health: int
    non_health: int
    area: str | None
    raised_at: datetime


class OwnUnlock(BaseModel):
    """One of the caller's own unlock attempts and what became of it: the outcome and
    reason of the entry that followed it up, if one did, as the caller was told them."""

    access_id: int
    at: datetime
    pseudonym: str | None
    rule_id: str | None
    purpose: str | None
    justification: str | None
    outcome: str = Field(description="allowed (the identity was released), refused or error")
    reason: str | None
    follow_up: int | None = Field(default=None, description=(
        "The entry saying that an allowed unlock then released nothing"))


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
    action: str = "unlock"  # or "partner-lookup", or a subject access step
    ref: int | None = Field(default=None, description="The entry this one follows up")
    case_id: str | None = None
    slice: str | None = None
    prev_hash: str
    hash: str

    @field_validator("action", mode="before")
    @classmethod
    def _unlock_when_unset(cls, value):
        return value or "unlock"


class AccessLogVerification(BaseModel):
    verified_at: datetime = Field(description="When this check ran: the log as it stood then")
    entries: int
    head: str | None
    valid: bool
    first_bad_seq: int | None
    problem: str | None = Field(default=None, description=(
        "The first problem found: chain, truncated, head-mismatch, head-signature, "
        "head-key, heads-missing, heads-differ, heads-unavailable, release-unlogged, "
        "releases-unavailable"))
    problems: list[str] = []
    signed_heads: int = Field(default=0, description="Heads in the local export")
    bad_signed_heads: int = 0
    last_signed_seq: int | None = None
    copies: dict[str, int | None] = Field(default={}, description=(
        "Heads in each copy (None: the copy could not be read)"))
    missing_heads: int = 0
    unsigned_entries: int = 0
    releases_checked: int | None = None
    unlogged_releases: int | None = None


class CaseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reference: str = Field(min_length=1, max_length=100, description=(
        "The council's reference for the request (never the person's name: reidentify "
        "holds no identity)"))
    requester: Literal["data-subject", "representative", "other"] = Field(description=(
        "Who made the request: the data subject, or someone acting for them"))
    justification: str = Field(min_length=20, max_length=2000)


class CaseOut(BaseModel):
    case_id: str
    reference: str
    requester: str
    justification: str
    opened_by: str
    opened_org: str | None
    opened_at: datetime
    expires_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    open: bool
    access_id: int | None = Field(default=None, description="The entry this change wrote")
