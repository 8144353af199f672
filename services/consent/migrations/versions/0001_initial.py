"""initial: consent_requests, resolutions, decisions, inbox, outbox

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("message_id", sa.String(200), primary_key=True),
        sa.Column("consumed_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        # never reuse an id: the relay publishes row ids as Nats-Msg-Id, so a reused id
        # would be dropped by JetStream's duplicate window
        sqlite_autoincrement=True,
    )
    lock = op.create_table(
        "pairing_lock",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.bulk_insert(lock, [{"id": 1, "n": 0}])
    op.create_table(
        "consent_requests",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("decision_id", sa.String(64), nullable=False, unique=True),
        sa.Column("record_token", sa.String(100), nullable=False),
        sa.Column("batch_id", sa.String(100), nullable=False),
        sa.Column("chunk", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("partner", sa.String(100), nullable=False),
        sa.Column("dataset", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("notice_version", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("batch_id", "chunk", "item", name="uq_request_item"),
    )
    op.create_index("ix_consent_requests_record_token", "consent_requests", ["record_token"])
    op.create_table(
        "resolutions",
        sa.Column("record_token", sa.String(100), primary_key=True),
        sa.Column("person", sa.String(64), nullable=False),
        sa.Column("household", sa.String(64), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_resolutions_person", "resolutions", ["person"])
    op.create_table(
        "decisions",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("decision_id", sa.String(64), nullable=False, unique=True),
        sa.Column("person", sa.String(64), nullable=False),
        sa.Column("household", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("notice_version", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("record_token", sa.String(100), nullable=True),
        sa.Column("partner", sa.String(100), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=True),
    )
    op.create_index("ix_decisions_person_scope", "decisions", ["person", "scope"])


def downgrade() -> None:
    op.drop_index("ix_decisions_person_scope", "decisions")
    op.drop_table("decisions")
    op.drop_index("ix_resolutions_person", "resolutions")
    op.drop_table("resolutions")
    op.drop_index("ix_consent_requests_record_token", "consent_requests")
    op.drop_table("consent_requests")
    op.drop_table("pairing_lock")
    op.drop_table("outbox")
    op.drop_table("inbox")
