"""subject_access_cases: subject access is a case a DPO opens, not a role

Revision ID: 0007_subject_access_cases
Revises: 0006_access_log_refs_and_cases
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0007_subject_access_cases"
down_revision = "0006_access_log_refs_and_cases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subject_access_cases",
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("requester", sa.String(length=200), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("opened_by", sa.String(length=200), nullable=False),
        sa.Column("opened_org", sa.String(length=200), nullable=True),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("case_id"),
    )


def downgrade() -> None:
    op.drop_table("subject_access_cases")
