"""The security event table, declared once and made on each slice's base."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import BigInteger, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UTCDateTime

TABLE = "security_events"
# what each entry's hash covers, in this order of declaration
FIELDS = ("seq", "at", "kind", "outcome", "sub", "roles", "partner", "agreement",
          "action", "target", "status", "detail")
KINDS = ("authentication", "authorisation", "change", "release", "verification")
OUTCOMES = ("success", "failure", "refused")
SEQ = BigInteger().with_variant(Integer, "sqlite")


class SecurityEventMixin:
    __tablename__ = TABLE
    seq: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(10))
    sub: Mapped[str | None] = mapped_column(String(200))
    roles: Mapped[str | None] = mapped_column(String(200))
    partner: Mapped[str | None] = mapped_column(String(100), index=True)
    agreement: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(200))  # "POST /v1/agreements/{agreement_id}/end"
    target: Mapped[str | None] = mapped_column(String(300))  # "agreement_id=a-1"
    status: Mapped[int | None] = mapped_column(SmallInteger)
    detail: Mapped[str | None] = mapped_column(String(300))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def fields_of(row: Any) -> dict[str, Any]:
    return {k: getattr(row, k) for k in FIELDS}


def create(op: Any) -> None:
    """The table, for each slice's migration (alembic's ``op``)."""
    op.create_table(
        TABLE,
        sa.Column("seq", SEQ, primary_key=True, autoincrement=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("sub", sa.String(200)),
        sa.Column("roles", sa.String(200)),
        sa.Column("partner", sa.String(100)),
        sa.Column("agreement", sa.String(100)),
        sa.Column("action", sa.String(200), nullable=False),
        sa.Column("target", sa.String(300)),
        sa.Column("status", sa.SmallInteger()),
        sa.Column("detail", sa.String(300)),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index(f"ix_{TABLE}_at", TABLE, ["at"])
    op.create_index(f"ix_{TABLE}_partner", TABLE, ["partner"])


def drop(op: Any) -> None:
    op.drop_index(f"ix_{TABLE}_partner", TABLE)
    op.drop_index(f"ix_{TABLE}_at", TABLE)
    op.drop_table(TABLE)
