"""Identity records remember whether their dataset holds each person once

Revision ID: 0004_one_record_per_person
Revises: 0003_probabilistic_linkage
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_one_record_per_person"
down_revision: str | None = "0003_probabilistic_linkage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("identity_records") as batch:
        batch.add_column(sa.Column("one_per_person", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("identity_records") as batch:
        batch.drop_column("one_per_person")
