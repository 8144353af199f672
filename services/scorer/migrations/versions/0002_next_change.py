"""Evaluations remember the day their counts next change (for the ageing-out sweep)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_change', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_evaluations_next_change'), ['next_change'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluations_next_change'))
        batch_op.drop_column('next_change')
