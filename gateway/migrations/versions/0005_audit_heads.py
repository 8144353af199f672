"""audit_heads: the gateway's copy of reidentify's signed access-log heads

Revision ID: 0005_audit_heads
Revises: 0004_one_record_per_person
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0005_audit_heads"
down_revision = "0004_one_record_per_person"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_heads",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("kid", sa.String(length=40), nullable=True),
        sa.Column("sig", sa.String(length=200), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )


def downgrade() -> None:
    op.drop_table("audit_heads")
