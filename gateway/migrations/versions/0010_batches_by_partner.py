"""batches: an index to list a partner's batch receipts, newest first

Revision ID: 0010_batches_by_partner
Revises: 0009_agreement_revisions
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0010_batches_by_partner"
down_revision: str | None = "0009_agreement_revisions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_batches_partner_created", "batches", ["partner", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_batches_partner_created", table_name="batches")
