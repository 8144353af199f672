"""Code categories keyed by (dataset, code): two datasets may define the same code name

Revision ID: 0005_categories_by_dataset
Revises: 0004_bulk_rescore_scorer
Create Date: 2026-12-07 09:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_categories_by_dataset'
down_revision: str | None = '0004_bulk_rescore_scorer'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("dataset", "code", "category", "headline", "partner")


def _table(primary_key: tuple[str, ...]) -> None:
    op.create_table(
        'code_categories',
        sa.Column('dataset', sa.String(length=100), nullable=False),
        sa.Column('code', sa.String(length=50), nullable=False),
        sa.Column('category', sa.String(length=20), nullable=False),
        sa.Column('headline', sa.String(length=100), nullable=True),
        sa.Column('partner', sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint(*primary_key))


def _move(primary_key: tuple[str, ...]) -> None:
    # a few hundred rows at most: read them, rebuild the table, write them back
    rows = [dict(r._mapping) for r in op.get_bind().execute(
        sa.text(f"SELECT {', '.join(COLUMNS)} FROM code_categories"))]
    op.drop_table('code_categories')
    _table(primary_key)
    if primary_key == ("code",):  # downgrade: one row per code name, as before
        rows = list({r["code"]: r for r in rows}.values())
    if rows:
        op.bulk_insert(sa.table('code_categories', *(sa.column(c) for c in COLUMNS)), rows)


def upgrade() -> None:
    _move(("dataset", "code"))


def downgrade() -> None:
    _move(("code",))
