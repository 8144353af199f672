"""Initial scorer schema: code categories, rule versions, evaluations, opt-outs, lock, inbox, outbox

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:12:57.551574
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
    op.create_table('code_categories',
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('headline', sa.String(length=100), nullable=True),
    sa.Column('dataset', sa.String(length=100), nullable=False),
    sa.Column('partner', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('evaluations',
    sa.Column('pseudonym', sa.String(length=100), nullable=False),
    sa.Column('rule_id', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('area', sa.String(length=20), nullable=True),
    sa.Column('indicators', sa.Integer(), nullable=False),
    sa.Column('health', sa.Integer(), nullable=False),
    sa.Column('non_health', sa.Integer(), nullable=False),
    sa.Column('headlines', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('rule_version', sa.Integer(), nullable=False),
    sa.Column('raised_at', services.common.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('evaluated_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('pseudonym', 'rule_id')
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluations_rule_id'), ['rule_id'], unique=False)

    op.create_table('inbox',
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('consumed_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('message_id')
    )
    op.create_table('optouts',
    sa.Column('person', sa.String(length=100), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('person', 'scope')
    )
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    op.create_table('rule_versions',
    sa.Column('rule_id', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('created_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('rule_id', 'version')
    )
    lock = op.create_table('write_lock',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('counter', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.bulk_insert(lock, [{"id": 1, "counter": 0}])


def downgrade() -> None:
    op.drop_table('write_lock')
    op.drop_table('rule_versions')
    op.drop_table('outbox')
    op.drop_table('optouts')
    op.drop_table('inbox')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluations_rule_id'))

    op.drop_table('evaluations')
    op.drop_table('code_categories')
