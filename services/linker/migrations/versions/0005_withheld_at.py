"""assignments.withheld_at: an opt-out withholds a person's events at once; the sweep
erases them once the opt-out has stood for optout_erasure_after

Revision ID: 0005_withheld_at
Revises: 0004_profile_exports_linker
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0005_withheld_at"
down_revision = "0004_profile_exports_linker"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("withheld_at", UTCDateTime(), nullable=True))
    # assignments withheld before it existed had their events deleted there and then


def downgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("withheld_at")
