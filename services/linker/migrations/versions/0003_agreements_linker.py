"""Agreements: each event carries its data-sharing agreement; the agreements as announced

Revision ID: 0003_agreements_linker
Revises: 0002_linker_profile_marks
Create Date: 2026-11-23 11:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.common.db

revision: str = '0003_agreements_linker'
down_revision: str | None = '0002_linker_profile_marks'
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
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('agreement', sa.String(length=100), nullable=True))
        batch.create_index('ix_events_agreement', ['agreement'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('events') as batch:
        batch.drop_index('ix_events_agreement')
        batch.drop_column('agreement')
    op.drop_table('agreements')
