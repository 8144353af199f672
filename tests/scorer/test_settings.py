"""A fixed date (for reproducing a demo) is refused in production, where it would stop
flags ageing out of the window."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from services.scorer.settings import ScorerSettings
from tests.common.test_settings import SECURE


def test_a_fixed_date_is_for_demonstrations_only():
    secure = {k: v for k, v in SECURE.items() if k != "environment"}
    assert ScorerSettings(environment="test", today=date(2026, 12, 7), **secure).today
    assert ScorerSettings(environment="production", **secure).today is None
    with pytest.raises(ValidationError, match="unset it in production"):
        ScorerSettings(environment="production", today=date(2026, 12, 7), **secure)
