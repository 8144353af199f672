"""Initial identity slice schema: records, persons, households, consent, inbox, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 08:53:51.662033
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
    op.create_table('consent_decisions',
    sa.Column('decision_id', sa.String(length=100), nullable=False),
    sa.Column('person', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('effective', sa.Boolean(), nullable=False),
    sa.Column('received_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('decision_id')
    )
    with op.batch_alter_table('consent_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_decisions_person'), ['person'], unique=False)

    op.create_table('households',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('pseudonym', sa.String(length=40), nullable=False),
    sa.Column('address_key', sa.String(length=300), nullable=False),
    sa.Column('area', sa.String(length=10), nullable=True),
    sa.Column('created_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('address_key'),
    sa.UniqueConstraint('pseudonym'),
    sa.UniqueConstraint('uuid')
    )
    op.create_table('inbox',
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('consumed_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('message_id')
    )
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True,
    )
    op.create_table('persons',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('pseudonym', sa.String(length=40), nullable=False),
    sa.Column('withheld', sa.Boolean(), nullable=False),
    sa.Column('household_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('merged_into', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ),
    sa.ForeignKeyConstraint(['merged_into'], ['persons.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('pseudonym'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_persons_household_id'), ['household_id'], unique=False)

    op.create_table('identity_records',
    sa.Column('record_token', sa.String(length=100), nullable=False),
    sa.Column('partner', sa.String(length=100), nullable=False),
    sa.Column('dataset', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('local_id', sa.String(length=200), nullable=False),
    sa.Column('given_name', sa.String(length=200), nullable=True),
    sa.Column('family_name', sa.String(length=200), nullable=True),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('sex', sa.String(length=20), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('postcode', sa.String(length=20), nullable=True),
    sa.Column('nhs_number', sa.String(length=20), nullable=True),
    sa.Column('uprn', sa.String(length=20), nullable=True),
    sa.Column('norm_given', sa.String(length=200), nullable=True),
    sa.Column('norm_given_first', sa.String(length=200), nullable=True),
    sa.Column('norm_family', sa.String(length=200), nullable=True),
    sa.Column('norm_sex', sa.String(length=1), nullable=True),
    sa.Column('norm_postcode', sa.String(length=10), nullable=True),
    sa.Column('norm_nhs', sa.String(length=10), nullable=True),
    sa.Column('address_key', sa.String(length=300), nullable=True),
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('household_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('received_seq', sa.BigInteger(), nullable=False),
    sa.Column('received_at', services.common.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], ),
    sa.PrimaryKeyConstraint('record_token')
    )
    with op.batch_alter_table('identity_records', schema=None) as batch_op:
        batch_op.create_index('ix_identity_records_date_of_birth', ['date_of_birth'], unique=False)
        batch_op.create_index('ix_identity_records_household_id', ['household_id'], unique=False)
        batch_op.create_index('ix_identity_records_norm_nhs', ['norm_nhs'], unique=False)
        batch_op.create_index('ix_identity_records_person_id', ['person_id'], unique=False)
        batch_op.create_index('ix_identity_records_received_seq', ['received_seq'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('identity_records', schema=None) as batch_op:
        batch_op.drop_index('ix_identity_records_received_seq')
        batch_op.drop_index('ix_identity_records_person_id')
        batch_op.drop_index('ix_identity_records_norm_nhs')
        batch_op.drop_index('ix_identity_records_household_id')
        batch_op.drop_index('ix_identity_records_date_of_birth')

    op.drop_table('identity_records')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_persons_household_id'))

    op.drop_table('persons')
    op.drop_table('outbox')
    op.drop_table('inbox')
    op.drop_table('households')
    with op.batch_alter_table('consent_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_decisions_person'))

    op.drop_table('consent_decisions')
