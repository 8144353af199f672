"""Drop the NHS-number index: nothing looks records up by it since linkage became
probabilistic (the linkage index blocks on NHS number in memory), and every inserted
record paid for it

Revision ID: 0006_drop_nhs_index
Revises: 0005_locality
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0006_drop_nhs_index"
down_revision: str | None = "0005_locality"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_identity_records_norm_nhs", table_name="identity_records")


def downgrade() -> None:
    op.create_index("ix_identity_records_norm_nhs", "identity_records", ["norm_nhs"])
