"""Probabilistic linkage: clerical review pairs, model versions, institution households

Revision ID: 0003_probabilistic_linkage
Revises: 0002_agreements_pseudonymiser
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.common.db

revision: str = "0003_probabilistic_linkage"
down_revision: str | None = "0002_agreements_pseudonymiser"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "review_pairs",
        sa.Column("pair_id", sa.String(40), primary_key=True),
        sa.Column("token_a", sa.String(100), nullable=False),
        sa.Column("token_b", sa.String(100), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("model_version", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("decided_at", services.common.db.UTCDateTime()),
        sa.Column("created_at", services.common.db.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_review_pairs_token_a", "review_pairs", ["token_a"])
    op.create_index("ix_review_pairs_token_b", "review_pairs", ["token_b"])
    op.create_index("ix_review_pairs_status", "review_pairs", ["status"])
    op.create_table(
        "linkage_models",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_at", services.common.db.UTCDateTime(), nullable=False),
    )
    with op.batch_alter_table("households") as batch:
        batch.add_column(sa.Column("institution", sa.String(20)))


def downgrade() -> None:
    with op.batch_alter_table("households") as batch:
        batch.drop_column("institution")
    op.drop_table("linkage_models")
    op.drop_table("review_pairs")
