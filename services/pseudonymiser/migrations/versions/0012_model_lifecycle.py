"""linkage_models: how many held records a model was trained on, and when it re-linked

Revision ID: 0012_model_lifecycle
Revises: 0011_review_superseded
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision: str = "0012_model_lifecycle"
down_revision: str | None = "0011_review_superseded"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("linkage_models") as batch:
        batch.add_column(sa.Column("trained_on", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("relinked_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("linkage_models") as batch:
        batch.drop_column("relinked_at")
        batch.drop_column("trained_on")
