"""The scorer's tables: code categories, versioned rule sets, evaluations (counts only,
never codes) with the flag state, the sequence of each profile applied, opt-outs, write
lock, inbox and outbox."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, Float, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common import tables
from services.common.db import UTCDateTime, utcnow


class Base(DeclarativeBase):
    pass


Inbox = tables.inbox(Base)
SecurityEvent = tables.security_events(Base)
Outbox = tables.outbox(Base)
WriteLock = tables.write_lock(Base)
Agreement = tables.agreement(Base)
# the latest effective decision per person and scope; opt-outs of 'all' or
# 'purpose:<name>' stop flagging
OptOut = tables.optouts(Base)


class CodeCategory(Base):
    """A code's category and headline problem, as the dataset that defines it says: two
    datasets may use one code name for different things."""

    __tablename__ = "code_categories"
    dataset: Mapped[str] = mapped_column(String(100), primary_key=True)
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    category: Mapped[str] = mapped_column(String(20))  # health | non_health
    headline: Mapped[str | None] = mapped_column(String(100))
    partner: Mapped[str] = mapped_column(String(100))


class RuleVersion(Base):
    __tablename__ = "rule_versions"
    rule_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200))


class Evaluation(Base):
    """The latest counts of one pseudonym under one rule, and whether it is flagged."""

    __tablename__ = "evaluations"
    pseudonym: Mapped[str] = mapped_column(String(100), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    level: Mapped[str] = mapped_column(String(10))
    area: Mapped[str | None] = mapped_column(String(20))
    indicators: Mapped[int] = mapped_column(Integer)
    health: Mapped[int] = mapped_column(Integer)
    non_health: Mapped[int] = mapped_column(Integer)
    headlines: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    rule_version: Mapped[int] = mapped_column(Integer)
    raised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The day its counts next change with no new events (an indicator ages out of the
    # window, or a future-dated event enters it); the sweep asks for those profiles again.
    next_change: Mapped[date | None] = mapped_column(Date, index=True)
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the agreements that supplied the counts, space-delimited (" a b "; retention.py)
    agreements: Mapped[str | None] = mapped_column(Text, nullable=True)


class Rescore(Base):
    """A bulk re-score: asked of the linker, applied chunk by chunk, finished when every
    chunk of every level asked for has been applied."""

    __tablename__ = "rescores"
    request_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    levels: Mapped[str] = mapped_column(String(50))  # space-separated
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    profiles: Mapped[int] = mapped_column(Integer, default=0)
    flags: Mapped[int] = mapped_column(Integer, default=0)  # flag changes published


class RescoreChunk(Base):
    """A chunk of a bulk re-score that has been applied (the last one says the total)."""

    __tablename__ = "rescore_chunks"
    request_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    level: Mapped[str] = mapped_column(String(10), primary_key=True)
    chunk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    total: Mapped[int | None] = mapped_column(Integer)


class ProfileSequence(Base):
    """The largest sequence of a profile applied, per pseudonym and level (a Profile
    message's, or that of an export chunk that changed its evaluations): a profile with a
    smaller one is older and ignored, whichever process applies which message first. Kept
    when the profile is cleared, so an older profile cannot bring it back."""

    __tablename__ = "profile_sequences"
    pseudonym: Mapped[str] = mapped_column(String(100), primary_key=True)
    level: Mapped[str] = mapped_column(String(10), primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger)

    # an export chunk finds the few profiles set after the export read
    __table_args__ = (Index("ix_profile_sequences_level_sequence", "level", "sequence"),)


class CohortMember(Base):
    """A family (or person) in a rule's cohort since the scorer first flagged it, where its
    journey stands and who its keyworker is (a token subject, never a name)."""

    __tablename__ = "cohort_members"
    rule_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    level: Mapped[str] = mapped_column(String(10))
    area: Mapped[str | None] = mapped_column(String(20))
    identified_on: Mapped[date] = mapped_column(Date, index=True)
    rule_version: Mapped[int] = mapped_column(Integer)
    # the rule's counts in the 6 and 12 months before identification (measures.measurement)
    baseline: Mapped[dict] = mapped_column(JSON)
    headlines: Mapped[str] = mapped_column(String(200))  # space-separated, at identification
    score: Mapped[float] = mapped_column(Float)  # the rule's score at identification
    # the measures it is measured on (their `had` codes before identification), space-separated
    eligible: Mapped[str] = mapped_column(String(2000), default="")
    state: Mapped[str] = mapped_column(String(20), index=True)
    keyworker: Mapped[str | None] = mapped_column(String(200), index=True)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    measured_through: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM
    # the agreements that supplied its dated codes, space-delimited (" a b "; retention.py)
    agreements: Mapped[str | None] = mapped_column(Text, nullable=True)


class CohortEvent(Base):
    """A cohort member's dated codes (only those its rules and measures name), as its latest
    profile carried them: what monthly measurement and its keyworker's history read."""

    __tablename__ = "cohort_events"
    pseudonym: Mapped[str] = mapped_column(String(100), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(100), primary_key=True)
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    occurred_on: Mapped[date] = mapped_column(Date, primary_key=True)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)


class CohortMeasurement(Base):
    """One month end's re-measurement of a cohort member: the rule's counts and the
    measures that held."""

    __tablename__ = "cohort_measurements"
    rule_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(100), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    counts: Mapped[dict] = mapped_column(JSON)
    met: Mapped[list] = mapped_column(JSON)  # measure ids
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutcomeMet(Base):
    """A measure a cohort member met: the first month end it held (what a claim rests on),
    eligible or not, and when it was claimed."""

    __tablename__ = "outcomes_met"
    rule_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(100), primary_key=True)
    measure: Mapped[str] = mapped_column(String(100), primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class JourneyStep(Base):
    """Each change of a cohort member's state: to what, with which keyworker, by whom and
    when (token subjects, never names)."""

    __tablename__ = "journey_steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[str] = mapped_column(String(100))
    pseudonym: Mapped[str] = mapped_column(String(100), index=True)
    state: Mapped[str] = mapped_column(String(20))
    keyworker: Mapped[str | None] = mapped_column(String(200))
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
