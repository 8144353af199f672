"""Bulk re-score exports: one row per requested level, with the progress sent so far

Revision ID: 0004_profile_exports_linker
Revises: 0003_agreements_linker
Create Date: 2026-11-23 12:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.common.db

revision: str = '0004_profile_exports_linker'
down_revision: str | None = '0003_agreements_linker'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('profile_exports',
    sa.Column('request_id', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('next_chunk', sa.Integer(), nullable=False),
    sa.Column('after', sa.String(length=100), nullable=True),
    sa.Column('profiles', sa.Integer(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('requested_at', services.common.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('request_id', 'level')
    )
    with op.batch_alter_table('profile_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_profile_exports_done'), ['done'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('profile_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_profile_exports_done'))
    op.drop_table('profile_exports')
