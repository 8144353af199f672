"""The scorer's tables: code categories, versioned rule sets, evaluations (counts only,
never codes) with the flag state, opt-outs, write lock, inbox and outbox."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, Integer, String, Text
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


class OptOut(Base):
    """Effective opt-outs that stop flagging: scope 'all' or 'purpose:<name>'."""

    __tablename__ = "optouts"
    person: Mapped[str] = mapped_column(String(100), primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    decided_on: Mapped[date] = mapped_column(Date)


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


class RescoreTouched(Base):
    """Profiles evaluated from a changed-profile message while a bulk re-score runs: that
    message is at least as new as the export's snapshot, so the export skips them."""

    __tablename__ = "rescore_touched"
    pseudonym: Mapped[str] = mapped_column(String(100), primary_key=True)
    level: Mapped[str] = mapped_column(String(10), primary_key=True)
    touched_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
