"""releases: the pseudonymiser's own ledger of every identity it released, by the
access-log entry that authorised it

Revision ID: 0010_release_ledger
Revises: 0009_no_uuid_index
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision: str = "0010_release_ledger"
down_revision: str | None = "0009_no_uuid_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("access_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=False, nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("partner", sa.String(length=100), nullable=True),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("local_ids", sa.Integer(), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("released_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("access_id"),
    )
    op.create_index("ix_releases_released_at", "releases", ["released_at"])


def downgrade() -> None:
    op.drop_index("ix_releases_released_at", table_name="releases")
    op.drop_table("releases")
