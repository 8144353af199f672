"""Consent's tables: requests awaiting resolution, resolutions, decisions, inbox, outbox.

Keyed by record token and pseudonym only: no names, addresses or demand.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common import tables
from services.common.db import UTCDateTime, utcnow

ID = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    pass


Inbox = tables.inbox(Base)
SecurityEvent = tables.security_events(Base)
Outbox = tables.outbox(Base)


class PairingLock(Base):
    """One row every pairing transaction updates first, so pairings run one at a time.

    A request and its resolution arrive on two consumers; without this, each could
    commit without seeing the other and neither would create the decision. Its counter
    also numbers the decisions (Decision.sequence), in the order they are recorded.
    """

    __tablename__ = "pairing_lock"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class ConsentRequestRow(Base):
    """One item of a partner's opt-out list, waiting for its record token to resolve."""

    __tablename__ = "consent_requests"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    decision_id: Mapped[str] = mapped_column(String(64), unique=True)
    record_token: Mapped[str] = mapped_column(String(100), index=True)
    batch_id: Mapped[str] = mapped_column(String(100))
    chunk: Mapped[int] = mapped_column(Integer)
    item: Mapped[int] = mapped_column(Integer)
    partner: Mapped[str] = mapped_column(String(100))
    dataset: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)
    notice_version: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_on: Mapped[date] = mapped_column(Date)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    agreement: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (UniqueConstraint("batch_id", "chunk", "item", name="uq_request_item"),)


class Resolution(Base):
    """Which person (and household) a record token resolved to."""

    __tablename__ = "resolutions"
    record_token: Mapped[str] = mapped_column(String(100), primary_key=True)
    person: Mapped[str] = mapped_column(String(64), index=True)
    household: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Decision(Base):
    """A consent or opt-out decision for a person; the latest per scope is effective."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    decision_id: Mapped[str] = mapped_column(String(64), unique=True)
    person: Mapped[str] = mapped_column(String(64))
    household: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)
    notice_version: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    source: Mapped[str] = mapped_column(String(16))
    record_token: Mapped[str | None] = mapped_column(String(100), nullable=True)
    partner: Mapped[str | None] = mapped_column(String(100), nullable=True)
    recorded_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # the agreement of the opt-out list it came from (None: recorded by a practitioner).
    # Kept when that agreement ends: see docs/agreements.md
    agreement: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    # the pairing lock's counter when it was recorded: larger is later (services/consent)
    sequence: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_decisions_person_scope", "person", "scope"),
                      UniqueConstraint("sequence", name="uq_decisions_sequence"))
