"""Two fewer random-key index entries per identity record: the date-of-birth index goes
(only the subject-access search used it, a rare administrative request that may scan),
and the household index keeps property-level records only (the only ones looked up by
household). Each random-key index entry dirties a page per inserted record (figures in
docs/benchmarks.md).

Revision ID: 0008_lighter_record_indexes
Revises: 0007_address_line_2
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_lighter_record_indexes"
down_revision: str | None = "0007_address_line_2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_identity_records_date_of_birth", table_name="identity_records")
    op.drop_index("ix_identity_records_household_id", table_name="identity_records")
    op.create_index("ix_identity_records_household_id", "identity_records", ["household_id"],
                    sqlite_where=sa.text("level = 'property'"),
                    postgresql_where=sa.text("level = 'property'"))


def downgrade() -> None:
    op.drop_index("ix_identity_records_household_id", table_name="identity_records")
    op.create_index("ix_identity_records_household_id", "identity_records", ["household_id"])
    op.create_index("ix_identity_records_date_of_birth", "identity_records", ["date_of_birth"])
