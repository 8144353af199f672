"""revoked_tokens dropped: revocations are shared by every service over NATS

Revision ID: 0005_shared_revocations
Revises: 0004_agreements_reidentify
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0005_shared_revocations"
down_revision = "0004_agreements_reidentify"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("revoked_tokens")


def downgrade() -> None:
    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.String(200), primary_key=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
    )
