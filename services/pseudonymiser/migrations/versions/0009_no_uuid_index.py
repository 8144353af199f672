"""Persons and households lose the unique index on their uuid. The uuid is only the
input of the pseudonym, which keeps its own unique index (a repeated uuid would repeat
the pseudonym); nothing looks a uuid up. Each index took a random page of a million-row
B-tree per inserted row (figures in docs/benchmarks.md). SQLite rebuilds both tables;
PostgreSQL drops the constraints.

Revision ID: 0009_no_uuid_index
Revises: 0008_lighter_record_indexes
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0009_no_uuid_index"
down_revision: str | None = "0008_lighter_record_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("persons", "households")
# SQLite's inline UNIQUE constraints are unnamed: batch mode names them by convention
CONVENTION = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    for table in TABLES:
        if op.get_bind().dialect.name == "sqlite":
            with op.batch_alter_table(table, recreate="always",
                                      naming_convention=CONVENTION) as batch:
                batch.drop_constraint(f"uq_{table}_uuid", type_="unique")
        else:
            op.drop_constraint(f"{table}_uuid_key", table, type_="unique")


def downgrade() -> None:
    for table in TABLES:
        if op.get_bind().dialect.name == "sqlite":
            with op.batch_alter_table(table, recreate="always",
                                      naming_convention=CONVENTION) as batch:
                batch.create_unique_constraint(f"uq_{table}_uuid", ["uuid"])
        else:
            op.create_unique_constraint(f"{table}_uuid_key", table, ["uuid"])
