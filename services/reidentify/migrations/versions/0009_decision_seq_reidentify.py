"""optouts.sequence: consent's order of the decision kept, so an older one applied after
a later one changes nothing

Revision ID: 0009_decision_seq_reidentify
Revises: 0008_security_events
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_decision_seq_reidentify"
down_revision: str | None = "0008_security_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # decisions kept before it existed count as older than every decision since
    with op.batch_alter_table("optouts") as batch:
        batch.add_column(sa.Column("sequence", sa.BigInteger(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("optouts") as batch:
        batch.drop_column("sequence")
