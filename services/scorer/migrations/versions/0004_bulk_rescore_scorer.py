"""Bulk re-score: rescores, their applied chunks, profiles touched while one runs

Revision ID: 0004_bulk_rescore_scorer
Revises: 0003_agreements_scorer
Create Date: 2026-11-23 12:05:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.common.db

revision: str = '0004_bulk_rescore_scorer'
down_revision: str | None = '0003_agreements_scorer'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rescores',
    sa.Column('request_id', sa.String(length=100), nullable=False),
    sa.Column('levels', sa.String(length=50), nullable=False),
    sa.Column('requested_at', services.common.db.UTCDateTime(), nullable=False),
    sa.Column('finished_at', services.common.db.UTCDateTime(), nullable=True),
    sa.Column('profiles', sa.Integer(), nullable=False),
    sa.Column('flags', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('request_id')
    )
    with op.batch_alter_table('rescores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rescores_finished_at'), ['finished_at'], unique=False)
    op.create_table('rescore_chunks',
    sa.Column('request_id', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('chunk', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('request_id', 'level', 'chunk')
    )
    op.create_table('rescore_touched',
    sa.Column('pseudonym', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('touched_at', services.common.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('pseudonym', 'level')
    )


def downgrade() -> None:
    op.drop_table('rescore_touched')
    op.drop_table('rescore_chunks')
    with op.batch_alter_table('rescores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rescores_finished_at'))
    op.drop_table('rescores')
