"""access_log: ref (a follow-up names the entry it follows), case_id and slice (subject
access releases)

Revision ID: 0006_access_log_refs_and_cases
Revises: 0005_shared_revocations
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_access_log_refs_and_cases"
down_revision = "0005_shared_revocations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("access_log") as batch:
        batch.add_column(sa.Column("ref", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("case_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("slice", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("access_log") as batch:
        batch.drop_column("slice")
        batch.drop_column("case_id")
        batch.drop_column("ref")
