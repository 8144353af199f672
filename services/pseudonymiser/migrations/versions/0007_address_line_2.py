"""Identity records keep a second address line (a building, estate or district name)

Revision ID: 0007_address_line_2
Revises: 0006_drop_nhs_index
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_address_line_2"
down_revision: str | None = "0006_drop_nhs_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("identity_records") as batch:
        batch.add_column(sa.Column("address_line_2", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("identity_records") as batch:
        batch.drop_column("address_line_2")
