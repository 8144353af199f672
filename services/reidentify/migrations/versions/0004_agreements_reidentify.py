"""Agreements: each flag keeps the agreements that supplied its data; agreements as announced

Revision ID: 0004_agreements_reidentify
Revises: 0003_access_log_action
Create Date: 2026-11-23 12:00:00
"""
import sqlalchemy as sa
from alembic import op

import services.common.db

revision = "0004_agreements_reidentify"
down_revision = "0003_access_log_action"
branch_labels = None
depends_on = None


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
    with op.batch_alter_table('flags') as batch:
        batch.add_column(sa.Column('agreements', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('flags') as batch:
        batch.drop_column('agreements')
    op.drop_table('agreements')
