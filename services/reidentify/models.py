"""Reidentify's tables: flags, opt-outs, the hash-chained access log, inbox.

No identity is ever stored here: identities are fetched per request and returned.
"""

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
Agreement = tables.agreement(Base)


class FlagRow(Base):
    """The latest state of one flag, keyed by (pseudonym, rule)."""

    __tablename__ = "flags"
    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    rule_version: Mapped[int] = mapped_column(Integer)
    purposes: Mapped[list] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float] = mapped_column(Float)
    indicators: Mapped[int] = mapped_column(Integer)
    health: Mapped[int] = mapped_column(Integer)
    non_health: Mapped[int] = mapped_column(Integer)
    headlines: Mapped[int] = mapped_column(Integer, default=0)
    area: Mapped[str | None] = mapped_column(String(20), nullable=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the agreements that supplied the flagged data, space-delimited (" a b "; retention.py)
    agreements: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_flags_cohort", "rule_id", "active", "area"),)


class OptOut(Base):
    """The effective consent decision per (person, scope), as published by consent."""

    __tablename__ = "optouts"
    person: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    decision_id: Mapped[str] = mapped_column(String(100))
    household: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_on: Mapped[date] = mapped_column(Date)
    # consent's sequence of the decision: a decision with a smaller one is older
    sequence: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AccessEntry(Base):
    """Append-only, hash-chained: hash = sha256(prev_hash + canonical JSON of the fields)."""

    __tablename__ = "access_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    sub: Mapped[str] = mapped_column(String(200))
    org: Mapped[str | None] = mapped_column(String(200), nullable=True)
    pseudonym: Mapped[str | None] = mapped_column(String(64), nullable=True)
    rule_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    purpose: Mapped[str | None] = mapped_column(String(100), nullable=True)
    justification: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # None for an unlock; "partner-lookup", or a subject access step ("sar-open", ...)
    action: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # the entry this one follows up: an authorised release that then did not happen
    ref: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # a subject access request's case, and the slice that released under it
    case_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    slice: Mapped[str | None] = mapped_column(String(20), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (Index("ix_access_log_sub_at", "sub", "at"),)


class SubjectAccessCase(Base):
    """A subject access request (UK GDPR Art. 15) a DPO is working: slices release their
    parts only while it is open, and every release names it in the access log."""

    __tablename__ = "subject_access_cases"
    case_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    reference: Mapped[str] = mapped_column(String(100))
    requester: Mapped[str] = mapped_column(String(200))
    justification: Mapped[str] = mapped_column(Text)
    opened_by: Mapped[str] = mapped_column(String(200))
    opened_org: Mapped[str | None] = mapped_column(String(200), nullable=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
