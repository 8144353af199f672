"""Initial gateway schema: registry, batch receipts, progress, inbox

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:01:26.829503
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.common.db

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agreements',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=True),
    sa.Column('purposes', sa.Text(), nullable=False),
    sa.Column('retention', sa.String(length=50), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('batches',
    sa.Column('batch_id', sa.String(length=100), nullable=False),
    sa.Column('partner', sa.String(length=100), nullable=False),
    sa.Column('dataset', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('chunks', sa.Integer(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('created_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('batch_id')
    )
    op.create_table('codes',
    sa.Column('dataset', sa.String(length=100), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('headline', sa.String(length=100), nullable=True),
    sa.Column('meaning', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('dataset', 'code')
    )
    op.create_table('datasets',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('partner', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('agreement', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('datasets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_datasets_partner'), ['partner'], unique=False)

    op.create_table('inbox',
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('consumed_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('message_id')
    )
    op.create_table('partners',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('progress',
    sa.Column('batch_id', sa.String(length=100), nullable=False),
    sa.Column('chunk', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=50), nullable=False),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('received_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('batch_id', 'chunk', 'service')
    )


def downgrade() -> None:
    op.drop_table('progress')
    op.drop_table('partners')
    op.drop_table('inbox')
    with op.batch_alter_table('datasets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_datasets_partner'))

    op.drop_table('datasets')
    op.drop_table('codes')
    op.drop_table('batches')
    op.drop_table('agreements')
