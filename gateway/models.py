"""The gateway's tables: the partner registry, batch receipts and progress counts.

No data row is stored: a batch receipt holds counts, a body hash and the reply
(row indices, field names and fixed messages, never a submitted value).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common import tables
from services.common.db import UTCDateTime, utcnow


class Base(DeclarativeBase):
    pass


Inbox = tables.inbox(Base)
SecurityEvent = tables.security_events(Base)


class Agreement(Base):
    __tablename__ = "agreements"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    purposes: Mapped[str] = mapped_column(Text, default="")  # space-separated
    retention: Mapped[str | None] = mapped_column(String(50))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    # Managed through /v1/agreements (gateway/agreements.py); announced to every slice.
    partner: Mapped[str | None] = mapped_column(String(100), nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # "file": seeded from registry.yaml and kept in step with it at each start; "api":
    # changed through /v1/agreements, after which the file no longer overrides it
    managed_by: Mapped[str] = mapped_column(String(10), default="file", server_default="file")


class AgreementRevision(Base):
    """Every revision of an agreement as it was announced: its terms, who made it, when.
    The agreements table holds the latest; this holds them all, never changed."""

    __tablename__ = "agreement_revisions"
    agreement: Mapped[str] = mapped_column(String(100), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))  # a token's subject, or registry.yaml
    terms: Mapped[dict] = mapped_column(JSON)  # the notice every slice was sent


class Partner(Base):
    __tablename__ = "partners"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    # retired: no more uploads from it; what it sent is kept under its agreements
    retired_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # "file": kept in step with registry.yaml at each start; "api": changed through
    # /v1/registry, after which the file no longer overrides it
    managed_by: Mapped[str] = mapped_column(String(10), default="file", server_default="file")


class Dataset(Base):
    __tablename__ = "datasets"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    partner: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    level: Mapped[str] = mapped_column(String(10))  # person | property
    agreement: Mapped[str | None] = mapped_column(String(100))
    # the partner vouches each person appears once (e.g. a practice's registered list)
    one_record_per_person: Mapped[bool] = mapped_column(Boolean, default=False,
                                                        server_default=false())
    retired_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    managed_by: Mapped[str] = mapped_column(String(10), default="file", server_default="file")


class Code(Base):
    __tablename__ = "codes"
    dataset: Mapped[str] = mapped_column(String(100), primary_key=True)
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    category: Mapped[str] = mapped_column(String(20))  # health | non_health
    headline: Mapped[str | None] = mapped_column(String(100))
    meaning: Mapped[str | None] = mapped_column(Text)
    # retired: refused in new uploads; events already held keep its category
    retired_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class RegistryChange(Base):
    """One change to a partner, dataset or code: who made it, when, before and after.
    The highest seq is the registry's revision."""

    __tablename__ = "registry_changes"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))  # a token's subject, or registry.yaml
    entity: Mapped[str] = mapped_column(String(10))  # partner | dataset | code
    key: Mapped[str] = mapped_column(String(160))  # the id; dataset/code for a code
    action: Mapped[str] = mapped_column(String(10))  # created | changed | retired
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class Batch(Base):
    """One accepted upload: recorded only after JetStream acknowledged every chunk."""

    __tablename__ = "batches"
    batch_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    partner: Mapped[str] = mapped_column(String(100))
    dataset: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # identities | events | optouts
    body_sha256: Mapped[str] = mapped_column(String(64))
    accepted: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    chunks: Mapped[int] = mapped_column(Integer)
    reply: Mapped[str] = mapped_column(Text)  # the 202 body, JSON
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # a partner's receipts, newest first (GET /v1/batches)
    __table_args__ = (Index("ix_batches_partner_created", "partner", "created_at"),)


class Progress(Base):
    """Rows a slice reports as processed, once per (batch, chunk, service)."""

    __tablename__ = "progress"
    batch_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    chunk: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(50), primary_key=True)
    processed: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditHead(Base):
    """A signed head of reidentify's access log, kept here, off reidentify's host: the
    copy verify-log compares its own with. The first head for a seq is kept."""

    __tablename__ = "audit_heads"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(40))
    kid: Mapped[str | None] = mapped_column(String(40), nullable=True)
    sig: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DeletionReceipt(Base):
    """A slice's signed receipt of what it deleted when an agreement ended or its
    retention ran out (services.common.erasure); counts only."""

    __tablename__ = "deletion_receipts"
    receipt_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    service: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(20))
    agreement: Mapped[str | None] = mapped_column(String(100), index=True)
    at: Mapped[str] = mapped_column(String(40))
    removed: Mapped[dict] = mapped_column(JSON)
    kid: Mapped[str] = mapped_column(String(40))
    sig: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
