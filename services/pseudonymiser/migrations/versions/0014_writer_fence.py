"""write_lock: the linkage writer's fencing epoch (services.common.db.check_fence)

Revision ID: 0014_writer_fence
Revises: 0013_security_events
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_writer_fence"
down_revision: str | None = "0013_security_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    lock = op.create_table(
        "write_lock",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.Column("fence", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(lock, [{"id": 1, "counter": 0, "fence": 0, "holder": None}])


def downgrade() -> None:
    op.drop_table("write_lock")
