"""deletion_receipts: the slices' signed receipts of what they deleted

Revision ID: 0008_deletion_receipts
Revises: 0007_security_events
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision: str = "0008_deletion_receipts"
down_revision: str | None = "0007_security_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deletion_receipts",
        sa.Column("receipt_id", sa.String(40), primary_key=True),
        sa.Column("service", sa.String(40), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("agreement", sa.String(100)),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("removed", sa.JSON(), nullable=False),
        sa.Column("kid", sa.String(40), nullable=False),
        sa.Column("sig", sa.String(200), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_deletion_receipts_agreement", "deletion_receipts", ["agreement"])


def downgrade() -> None:
    op.drop_index("ix_deletion_receipts_agreement", "deletion_receipts")
    op.drop_table("deletion_receipts")
