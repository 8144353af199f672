"""Initial coded-demand schema: events, assignments, opt-outs, write lock, inbox, outbox

Revision ID: 0001
Revises:
Create Date: 2026-11-23 08:57:17.483700
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
    op.create_table('assignments',
    sa.Column('record_token', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('person', sa.String(length=100), nullable=True),
    sa.Column('household', sa.String(length=100), nullable=True),
    sa.Column('area', sa.String(length=20), nullable=True),
    sa.Column('withheld', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('assigned_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('record_token')
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_household'), ['household'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_person'), ['person'], unique=False)

    op.create_table('events',
    sa.Column('event_token', sa.String(length=100), nullable=False),
    sa.Column('record_token', sa.String(length=100), nullable=False),
    sa.Column('partner', sa.String(length=100), nullable=False),
    sa.Column('dataset', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('received_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_token')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_record_token'), ['record_token'], unique=False)

    op.create_table('inbox',
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('consumed_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('message_id')
    )
    lock = op.create_table('write_lock',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('counter', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.bulk_insert(lock, [{"id": 1, "counter": 0}])
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


def downgrade() -> None:
    op.drop_table('outbox')
    op.drop_table('write_lock')
    op.drop_table('optouts')
    op.drop_table('inbox')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_record_token'))

    op.drop_table('events')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_person'))
        batch_op.drop_index(batch_op.f('ix_assignments_household'))

    op.drop_table('assignments')
