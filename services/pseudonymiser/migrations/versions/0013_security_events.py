"""The security log (services.common.securitylog)

Revision ID: 0013_security_events
Revises: 0012_model_lifecycle
"""
from collections.abc import Sequence

from alembic import op

from services.common.securitylog import table

revision: str = "0013_security_events"
down_revision: str | None = "0012_model_lifecycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table.create(op)


def downgrade() -> None:
    table.drop(op)
