"""decisions.sequence: the order consent recorded its decisions in, taken from the
pairing lock's counter and published with each decision

Revision ID: 0004_decision_seq_consent
Revises: 0003_security_events
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_decision_seq_consent"
down_revision: str | None = "0003_security_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pairing_lock") as batch:
        batch.alter_column("n", type_=sa.BigInteger(), existing_type=sa.Integer(),
                           existing_nullable=False)
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("sequence", sa.BigInteger(), nullable=True))
    # decisions recorded before it was kept are numbered in the order they were stored,
    # and the counter goes on after the last of them
    op.execute("UPDATE decisions SET sequence = id")
    op.execute("UPDATE pairing_lock SET n = (SELECT COALESCE(MAX(id), 0) FROM decisions) "
               "WHERE n < (SELECT COALESCE(MAX(id), 0) FROM decisions)")
    with op.batch_alter_table("decisions") as batch:
        batch.alter_column("sequence", existing_type=sa.BigInteger(), nullable=False)
        batch.create_unique_constraint("uq_decisions_sequence", ["sequence"])


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_constraint("uq_decisions_sequence", type_="unique")
        batch.drop_column("sequence")
    with op.batch_alter_table("pairing_lock") as batch:
        batch.alter_column("n", type_=sa.Integer(), existing_type=sa.BigInteger(),
                           existing_nullable=False)
