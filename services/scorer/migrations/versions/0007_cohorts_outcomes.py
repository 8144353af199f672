"""Cohorts and outcomes: members, their dated codes, monthly measurements, outcomes met, journey

Revision ID: 0007_cohorts_outcomes
Revises: 0006_security_events
Create Date: 2026-12-07 23:26:45.236272
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.common.db

revision: str = '0007_cohorts_outcomes'
down_revision: str | None = '0006_security_events'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cohort_events',
    sa.Column('pseudonym', sa.String(length=100), nullable=False),
    sa.Column('dataset', sa.String(length=100), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('occurrences', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('pseudonym', 'dataset', 'code', 'occurred_on')
    )
    op.create_table('cohort_measurements',
    sa.Column('rule_id', sa.String(length=100), nullable=False),
    sa.Column('pseudonym', sa.String(length=100), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('met', sa.JSON(), nullable=False),
    sa.Column('measured_at', services.common.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('rule_id', 'pseudonym', 'month')
    )
    op.create_table('cohort_members',
    sa.Column('rule_id', sa.String(length=100), nullable=False),
    sa.Column('pseudonym', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('area', sa.String(length=20), nullable=True),
    sa.Column('identified_on', sa.Date(), nullable=False),
    sa.Column('rule_version', sa.Integer(), nullable=False),
    sa.Column('baseline', sa.JSON(), nullable=False),
    sa.Column('headlines', sa.String(length=200), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('eligible', sa.String(length=2000), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('keyworker', sa.String(length=200), nullable=True),
    sa.Column('state_changed_at', services.common.db.UTCDateTime(), nullable=False),
    sa.Column('measured_through', sa.String(length=7), nullable=True),
    sa.Column('agreements', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('rule_id', 'pseudonym')
    )
    with op.batch_alter_table('cohort_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_members_identified_on'), ['identified_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_members_keyworker'), ['keyworker'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_members_pseudonym'), ['pseudonym'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_members_state'), ['state'], unique=False)
    op.create_table('journey_steps',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('rule_id', sa.String(length=100), nullable=False),
    sa.Column('pseudonym', sa.String(length=100), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('keyworker', sa.String(length=200), nullable=True),
    sa.Column('by', sa.String(length=200), nullable=False),
    sa.Column('at', services.common.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('journey_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journey_steps_pseudonym'), ['pseudonym'], unique=False)
    op.create_table('outcomes_met',
    sa.Column('rule_id', sa.String(length=100), nullable=False),
    sa.Column('pseudonym', sa.String(length=100), nullable=False),
    sa.Column('measure', sa.String(length=100), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('claimed_at', services.common.db.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('rule_id', 'pseudonym', 'measure')
    )


def downgrade() -> None:
    op.drop_table('outcomes_met')
    with op.batch_alter_table('journey_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journey_steps_pseudonym'))
    op.drop_table('journey_steps')
    with op.batch_alter_table('cohort_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_members_state'))
        batch_op.drop_index(batch_op.f('ix_cohort_members_pseudonym'))
        batch_op.drop_index(batch_op.f('ix_cohort_members_keyworker'))
        batch_op.drop_index(batch_op.f('ix_cohort_members_identified_on'))
    op.drop_table('cohort_members')
    op.drop_table('cohort_measurements')
    op.drop_table('cohort_events')
