"""Profile marks: pseudonyms whose profile is to be published (coalesced per round)

Revision ID: 0002_linker_profile_marks
Revises: 0001
Create Date: 2026-11-23 11:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002_linker_profile_marks'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('profile_marks',
    sa.Column('pseudonym', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('must', sa.Boolean(), nullable=False),
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('pseudonym', 'level')
    )
    with op.batch_alter_table('profile_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_profile_marks_seq'), ['seq'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('profile_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_profile_marks_seq'))
    op.drop_table('profile_marks')
