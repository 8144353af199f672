"""Agreements registry: partner, revision, ending, announcement digest

Revision ID: 0002_agreements_registry
Revises: 0001
Create Date: 2026-11-23 11:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.common.db

revision: str = '0002_agreements_registry'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('agreements') as batch:
        batch.add_column(sa.Column('partner', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('revision', sa.Integer(), server_default='1',
                                   nullable=False))
        batch.add_column(sa.Column('digest', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('updated_at', services.common.db.UTCDateTime(),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('agreements') as batch:
        for name in ('updated_at', 'ended_on', 'digest', 'revision', 'partner'):
            batch.drop_column(name)
