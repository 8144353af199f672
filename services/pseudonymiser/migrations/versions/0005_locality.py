"""Identity records keep the town, village or suburb a partner sends

Revision ID: 0005_locality
Revises: 0004_one_record_per_person
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_locality"
down_revision: str | None = "0004_one_record_per_person"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("identity_records") as batch:
        batch.add_column(sa.Column("locality", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("identity_records") as batch:
        batch.drop_column("locality")
