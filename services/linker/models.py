"""The coded-demand slice's tables: events, assignments, opt-outs, inbox, outbox.

Nothing here names a person: record tokens, pseudonyms, codes, dates and coarse areas only.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Integer, String
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
# the latest effective decision per person pseudonym and scope ('all' or 'partner:<id>')
OptOut = tables.optouts(Base)


class Event(Base):
    __tablename__ = "events"
    event_token: Mapped[str] = mapped_column(String(100), primary_key=True)
    record_token: Mapped[str] = mapped_column(String(100), index=True)
    partner: Mapped[str] = mapped_column(String(100))
    dataset: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10))  # person | property
    code: Mapped[str] = mapped_column(String(50))
    occurred_on: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the data-sharing agreement it arrived under (services/linker/retention.py)
    agreement: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)


class Assignment(Base):
    __tablename__ = "assignments"
    record_token: Mapped[str] = mapped_column(String(100), primary_key=True)
    level: Mapped[str] = mapped_column(String(10))
    person: Mapped[str | None] = mapped_column(String(100), index=True)
    household: Mapped[str | None] = mapped_column(String(100), index=True)
    area: Mapped[str | None] = mapped_column(String(20))
    # the LSOA of its household's postcode, where the council's postcode lookup has it
    lsoa: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
    withheld: Mapped[bool] = mapped_column(Boolean, default=False)
    # since when (its person opted out of everything): its events are kept out of every
    # profile and aggregate, and erased by the sweep once optout_erasure_after has passed
    withheld_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProfileMark(Base):
    """A profile to publish: handlers mark pseudonyms in their transaction, the profile
    publisher sends each marked profile once per round through the outbox. `must`: publish
    it even when it has no events (so the scorer clears it). `seq` is the write-lock counter
    of the last marking transaction, so a mark set again while a round reads is kept."""

    __tablename__ = "profile_marks"
    pseudonym: Mapped[str] = mapped_column(String(100), primary_key=True)
    level: Mapped[str] = mapped_column(String(10), primary_key=True)  # person | household
    must: Mapped[bool] = mapped_column(Boolean, default=False)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), index=True)


class ProfileExport(Base):
    """One level of a bulk re-score export: requested by the scorer, sent in chunks of
    profiles in pseudonym order. Progress is committed after each chunk is stored by
    JetStream, so an interrupted export resumes after the last chunk sent."""

    __tablename__ = "profile_exports"
    request_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    level: Mapped[str] = mapped_column(String(10), primary_key=True)  # person | household
    next_chunk: Mapped[int] = mapped_column(Integer, default=0)
    after: Mapped[str | None] = mapped_column(String(100), nullable=True)  # last sent
    profiles: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CodeCategory(Base):
    """Each code's category and headline problem, from the registry (as the scorer gets
    them): what area profiles group demand by."""

    __tablename__ = "code_categories"
    dataset: Mapped[str] = mapped_column(String(100), primary_key=True)
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    category: Mapped[str] = mapped_column(String(20))
    headline: Mapped[str | None] = mapped_column(String(100), nullable=True)


class AreaLookup(Base):
    """The council's geography: each LSOA's ward and locality (public, no personal data)."""

    __tablename__ = "area_lookup"
    lsoa: Mapped[str] = mapped_column(String(12), primary_key=True)
    lsoa_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    ward: Mapped[str] = mapped_column(String(12))
    ward_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    locality: Mapped[str] = mapped_column(String(200))


class AreaPopulation(Base):
    """Residents per LSOA: the denominators of area rates and concentration."""

    __tablename__ = "area_population"
    lsoa: Mapped[str] = mapped_column(String(12), primary_key=True)
    population: Mapped[int] = mapped_column(Integer)
