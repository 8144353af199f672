"""agreement_revisions: every revision of every agreement, with who made it

Revision ID: 0009_agreement_revisions
Revises: 0008_deletion_receipts
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision: str = "0009_agreement_revisions"
down_revision: str | None = "0008_deletion_receipts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreement_revisions",
        sa.Column("agreement", sa.String(100), primary_key=True),
        sa.Column("revision", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("agreement_revisions")
