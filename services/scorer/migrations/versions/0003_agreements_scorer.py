"""Agreements: each evaluation keeps the agreements that supplied it; agreements as announced

Revision ID: 0003_agreements_scorer
Revises: 0002
Create Date: 2026-11-23 11:55:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.common.db

revision: str = '0003_agreements_scorer'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agreements',
    sa.Column('agreement', sa.String(length=100), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('purposes', sa.JSON(), nullable=False),
    sa.Column('retention', sa.String(length=50), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('updated_at', services.common.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('agreement')
    )
    with op.batch_alter_table('evaluations') as batch:
        batch.add_column(sa.Column('agreements', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('evaluations') as batch:
        batch.drop_column('agreements')
    op.drop_table('agreements')
