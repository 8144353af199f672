"""The identity slice's tables: identity records, persons, households, consent, inbox, outbox."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false as sa_false

from services.common import tables
from services.common.db import UTCDateTime, utcnow

ID = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    pass


Inbox = tables.inbox(Base)
SecurityEvent = tables.security_events(Base)
Outbox = tables.outbox(Base)
Agreement = tables.agreement(Base)
# the linkage writer's fencing epoch (writer.py)
WriteLock = tables.fenced_write_lock(Base)


class Household(Base):
    __tablename__ = "households"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    # the pseudonym's input; not indexed (migration 0009): the pseudonym's index is unique
    uuid: Mapped[str] = mapped_column(String(36))
    pseudonym: Mapped[str] = mapped_column(String(40), unique=True)
    address_key: Mapped[str] = mapped_column(String(300), unique=True)
    area: Mapped[str | None] = mapped_column(String(10))
    # the LSOA of its postcode, from the council's postcode lookup (PostcodeArea)
    lsoa: Mapped[str | None] = mapped_column(String(12), nullable=True)
    # an institution (children's home, care home, hostel): never a family household
    institution: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Person(Base):
    __tablename__ = "persons"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36))  # as the household's
    pseudonym: Mapped[str] = mapped_column(String(40), unique=True)
    withheld: Mapped[bool] = mapped_column(Boolean, default=False)
    household_id: Mapped[int | None] = mapped_column(
        ID, ForeignKey("households.id"), index=True)
    merged_into: Mapped[int | None] = mapped_column(ID, ForeignKey("persons.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IdentityRecord(Base):
    __tablename__ = "identity_records"
    record_token: Mapped[str] = mapped_column(String(100), primary_key=True)
    partner: Mapped[str] = mapped_column(String(100))
    dataset: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10))  # person | property
    purpose: Mapped[str] = mapped_column(String(10))  # data | optout
    local_id: Mapped[str] = mapped_column(String(200))
    given_name: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str | None] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(500))
    address_line_2: Mapped[str | None] = mapped_column(String(200))
    locality: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(20))
    nhs_number: Mapped[str | None] = mapped_column(String(20))
    uprn: Mapped[str | None] = mapped_column(String(20))
    # normalised forms, for matching only
    norm_given: Mapped[str | None] = mapped_column(String(200))
    norm_given_first: Mapped[str | None] = mapped_column(String(200))
    norm_family: Mapped[str | None] = mapped_column(String(200))
    norm_sex: Mapped[str | None] = mapped_column(String(1))
    norm_postcode: Mapped[str | None] = mapped_column(String(10))
    norm_nhs: Mapped[str | None] = mapped_column(String(10))
    address_key: Mapped[str | None] = mapped_column(String(300))
    person_id: Mapped[int | None] = mapped_column(ID, ForeignKey("persons.id"))
    household_id: Mapped[int | None] = mapped_column(ID, ForeignKey("households.id"))
    version: Mapped[int] = mapped_column(Integer, default=0)
    received_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # from a dataset with one record per person (two such never share a person)
    one_per_person: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=sa_false())
    # the data-sharing agreement it arrived under (services/pseudonymiser/retention.py)
    agreement: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)

    __table_args__ = (
        Index("ix_identity_records_person_id", "person_id"),
        # only property-level records are looked up by household (migration 0008)
        Index("ix_identity_records_household_id", "household_id",
              sqlite_where=text("level = 'property'"),
              postgresql_where=text("level = 'property'")),
        Index("ix_identity_records_received_seq", "received_seq"),
    )


class ConsentRecord(Base):
    """Decisions received from the consent service (only scope 'all' withholds here)."""

    __tablename__ = "consent_decisions"
    decision_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    person: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(200))
    decided_on: Mapped[date] = mapped_column(Date)
    effective: Mapped[bool] = mapped_column(Boolean)
    # consent's sequence: of two effective decisions for one person and scope, the larger
    # wins, whichever is applied last
    sequence: Mapped[int] = mapped_column(BigInteger, default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReviewPair(Base):
    """A pair of records scored in the clerical-review band, and the officer's decision.
    A decision overrides the model on every later linkage of these two records."""

    __tablename__ = "review_pairs"
    pair_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    token_a: Mapped[str] = mapped_column(String(100), index=True)
    token_b: Mapped[str] = mapped_column(String(100), index=True)
    probability: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(40))
    # pending | match | non_match | superseded (linkage resolved it before anyone did)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # why a pair was superseded: same-person, record-gone, below-review
    resolution: Mapped[str | None] = mapped_column(String(20), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LinkageModelVersion(Base):
    """Every linkage model the service has used; the latest is active."""

    __tablename__ = "linkage_models"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(40))
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # held person-level records when its training snapshot was taken (None: read from
    # a file), and when every held record was last re-linked with it (None: a re-link
    # is owed, and resumes at start)
    trained_on: Mapped[int | None] = mapped_column(Integer, nullable=True)
    relinked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Release(Base):
    """Every identity (or partner's local IDs) this service released, by the access-log
    entry that authorised it: reidentify's verify-log checks each against the log. No
    identity is kept here, only what was asked and how much was given."""

    __tablename__ = "releases"
    access_id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=False)
    pseudonym: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    partner: Mapped[str | None] = mapped_column(String(100), nullable=True)
    subjects: Mapped[int] = mapped_column(Integer)
    local_ids: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class PostcodeArea(Base):
    """The council's postcode lookup: each postcode's LSOA (public data, no person)."""

    __tablename__ = "postcode_areas"
    postcode: Mapped[str] = mapped_column(String(10), primary_key=True)
    lsoa: Mapped[str] = mapped_column(String(12))
