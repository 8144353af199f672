"""Calibration and rule changes on PostgreSQL (asyncpg), in a database of their own."""

from __future__ import annotations

import pytest
import pytest_asyncio

from tests import postgres
from tests.scorer.conftest import running_scorer
from tests.scorer.test_rules import (  # noqa: F401 - collected here again, on PostgreSQL
    test_calibration_equals_brute_force,
    test_put_changes_thresholds_and_reflags,
)

pytestmark = pytest.mark.skipif(not postgres.available(), reason="no PostgreSQL binaries")


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def scorer(nats_env):
    with postgres.databases("scorer") as (url,):
        async with running_scorer(nats_env, url) as harness:
            yield harness
