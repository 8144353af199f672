"""consent_decisions.sequence: consent's order of its decisions, so an older one applied
after a later one changes nothing

Revision ID: 0016_decision_seq_pseudonymiser
Revises: 0015_postcode_lsoa
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_decision_seq_pseudonymiser"
down_revision: str | None = "0015_postcode_lsoa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # decisions applied before it existed count as older than every decision since
    with op.batch_alter_table("consent_decisions") as batch:
        batch.add_column(sa.Column("sequence", sa.BigInteger(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("consent_decisions") as batch:
        batch.drop_column("sequence")
