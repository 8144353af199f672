"""Area profiles: assignments.lsoa, code categories from the registry, the council's area
lookup and population per LSOA

Revision ID: 0007_area_profiles
Revises: 0006_security_events
Create Date: 2026-12-08
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_area_profiles"
down_revision = "0006_security_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("lsoa", sa.String(12), nullable=True))
        batch.create_index("ix_assignments_lsoa", ["lsoa"])
    op.create_table(
        "code_categories",
        sa.Column("dataset", sa.String(100), primary_key=True),
        sa.Column("code", sa.String(50), primary_key=True),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("headline", sa.String(100), nullable=True))
    op.create_table(
        "area_lookup",
        sa.Column("lsoa", sa.String(12), primary_key=True),
        sa.Column("lsoa_name", sa.String(200), nullable=True),
        sa.Column("ward", sa.String(12), nullable=False),
        sa.Column("ward_name", sa.String(200), nullable=True),
        sa.Column("locality", sa.String(200), nullable=False))
    op.create_table(
        "area_population",
        sa.Column("lsoa", sa.String(12), primary_key=True),
        sa.Column("population", sa.Integer, nullable=False))


def downgrade() -> None:
    op.drop_table("area_population")
    op.drop_table("area_lookup")
    op.drop_table("code_categories")
    with op.batch_alter_table("assignments") as batch:
        batch.drop_index("ix_assignments_lsoa")
        batch.drop_column("lsoa")
