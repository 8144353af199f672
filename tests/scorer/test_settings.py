"""A fixed date (for reproducing a demo) is refused in production, where it would stop
flags ageing out of the window."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from services.scorer.settings import ScorerSettings


def test_a_fixed_date_is_for_demonstrations_only():
    # on PostgreSQL: a SQLite database in production would need its key as well
    secret = {"nats_password": "a-real-secret-4f9c",
              "database_url": "postgresql+asyncpg://scorer@db/scorer"}
    assert ScorerSettings(environment="test", today=date(2026, 12, 7), **secret).today
    assert ScorerSettings(environment="production", **secret).today is None
    with pytest.raises(ValidationError, match="unset it in production"):
        ScorerSettings(environment="production", today=date(2026, 12, 7), **secret)
