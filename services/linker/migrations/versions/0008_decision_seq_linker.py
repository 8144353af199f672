"""optouts keep the latest decision per person and scope, with consent's sequence: a
lifted opt-out stays as a row, so an older decision applied after it changes nothing

Revision ID: 0008_decision_seq_linker
Revises: 0007_area_profiles
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_decision_seq_linker"
down_revision: str | None = "0007_area_profiles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # rows kept before are opt-outs in force, older than every decision since
    with op.batch_alter_table("optouts") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False,
                                   server_default="opt_out"))
        batch.add_column(sa.Column("sequence", sa.BigInteger(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    op.execute("DELETE FROM optouts WHERE status <> 'opt_out'")
    with op.batch_alter_table("optouts") as batch:
        batch.drop_column("sequence")
        batch.drop_column("status")
