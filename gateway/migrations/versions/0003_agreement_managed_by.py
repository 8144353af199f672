"""Agreements remember whether the registry file or the API manages them

Revision ID: 0003_agreement_managed_by
Revises: 0002_agreements_registry
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_agreement_managed_by"
down_revision: str | None = "0002_agreements_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agreements") as batch:
        batch.add_column(sa.Column("managed_by", sa.String(10), nullable=False,
                                   server_default="file"))


def downgrade() -> None:
    with op.batch_alter_table("agreements") as batch:
        batch.drop_column("managed_by")
