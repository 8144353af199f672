"""review_pairs: a pending pair that linkage has since resolved is superseded, and why

Revision ID: 0011_review_superseded
Revises: 0010_release_ledger
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_review_superseded"
down_revision: str | None = "0010_release_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_pairs") as batch:
        batch.add_column(sa.Column("resolution", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_pairs") as batch:
        batch.drop_column("resolution")
