"""Profiles and consent decisions applied in any order: the sequence of each profile
applied (profile_sequences, in place of rescore_touched), and optouts keep the latest
decision per person and scope with consent's sequence

Revision ID: 0008_ordered_profiles_scorer
Revises: 0007_cohorts_outcomes
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.common.db

revision: str = "0008_ordered_profiles_scorer"
down_revision: str | None = "0007_cohorts_outcomes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # no profile applied before carries a sequence: the first of each pseudonym since
    # is newer than it
    op.create_table(
        "profile_sequences",
        sa.Column("pseudonym", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("pseudonym", "level"),
    )
    op.create_index("ix_profile_sequences_level_sequence", "profile_sequences",
                    ["level", "sequence"])
    op.drop_table("rescore_touched")
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
    op.create_table(
        "rescore_touched",
        sa.Column("pseudonym", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("touched_at", services.common.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pseudonym", "level"),
    )
    op.drop_index("ix_profile_sequences_level_sequence", table_name="profile_sequences")
    op.drop_table("profile_sequences")
