"""Live registry: retirement and management of partners, datasets and codes; changes

Revision ID: 0006_live_registry
Revises: 0005_audit_heads
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0006_live_registry"
down_revision = "0005_audit_heads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("partners", "datasets"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("retired_on", sa.Date(), nullable=True))
            batch.add_column(sa.Column("managed_by", sa.String(length=10), nullable=False,
                                       server_default="file"))
    with op.batch_alter_table("codes") as batch:
        batch.add_column(sa.Column("retired_on", sa.Date(), nullable=True))
    op.create_table(
        "registry_changes",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("entity", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
    )


def downgrade() -> None:
    op.drop_table("registry_changes")
    with op.batch_alter_table("codes") as batch:
        batch.drop_column("retired_on")
    for table in ("datasets", "partners"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("managed_by")
            batch.drop_column("retired_on")
