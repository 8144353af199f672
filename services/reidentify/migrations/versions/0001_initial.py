"""initial: flags, optouts, access_log, inbox

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


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("message_id", sa.String(200), primary_key=True),
        sa.Column("consumed_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "flags",
        sa.Column("pseudonym", sa.String(64), primary_key=True),
        sa.Column("rule_id", sa.String(100), primary_key=True),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("indicators", sa.Integer(), nullable=False),
        sa.Column("health", sa.Integer(), nullable=False),
        sa.Column("non_health", sa.Integer(), nullable=False),
        sa.Column("headlines", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(20), nullable=True),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_flags_cohort", "flags", ["rule_id", "active", "area"])
    op.create_table(
        "optouts",
        sa.Column("person", sa.String(64), primary_key=True),
        sa.Column("scope", sa.String(200), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decision_id", sa.String(100), nullable=False),
        sa.Column("household", sa.String(64), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "access_log",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("sub", sa.String(200), nullable=False),
        sa.Column("org", sa.String(200), nullable=True),
        sa.Column("pseudonym", sa.String(64), nullable=True),
        sa.Column("rule_id", sa.String(100), nullable=True),
        sa.Column("purpose", sa.String(100), nullable=True),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_index("ix_access_log_sub_at", "access_log", ["sub", "at"])


def downgrade() -> None:
    op.drop_index("ix_access_log_sub_at", "access_log")
    op.drop_table("access_log")
    op.drop_table("optouts")
    op.drop_index("ix_flags_cohort", "flags")
    op.drop_table("flags")
    op.drop_table("inbox")
