"""The council's postcode lookup and each household's LSOA, for area profiles

Revision ID: 0015_postcode_lsoa
Revises: 0014_writer_fence
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_postcode_lsoa"
down_revision = "0014_writer_fence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "postcode_areas",
        sa.Column("postcode", sa.String(10), primary_key=True),
        sa.Column("lsoa", sa.String(12), nullable=False))
    with op.batch_alter_table("households") as batch:
        batch.add_column(sa.Column("lsoa", sa.String(12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("households") as batch:
        batch.drop_column("lsoa")
    op.drop_table("postcode_areas")
