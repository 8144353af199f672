"""Opt-out requests and the decisions made from them carry their agreement

Revision ID: 0002_agreements_consent
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_agreements_consent"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consent_requests") as batch:
        batch.add_column(sa.Column("agreement", sa.String(100), nullable=True))
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("agreement", sa.String(100), nullable=True))
    op.create_index("ix_decisions_agreement", "decisions", ["agreement"])


def downgrade() -> None:
    op.drop_index("ix_decisions_agreement", "decisions")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("agreement")
    with op.batch_alter_table("consent_requests") as batch:
        batch.drop_column("agreement")
