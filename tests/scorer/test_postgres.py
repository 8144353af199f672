"""The scorer's flags and opt-outs on PostgreSQL (asyncpg), without code changes."""

from __future__ import annotations

import pytest
import pytest_asyncio

from tests import postgres
from tests.scorer.conftest import running_scorer
from tests.scorer.test_flags import (  # noqa: F401 - collected here again, on PostgreSQL
    test_an_older_decision_applied_after_a_newer_one_changes_nothing,
    test_an_older_profile_applied_after_a_newer_one_changes_nothing,
    test_boundary_profiles,
    test_flag_raised_updated_then_cleared,
    test_opt_out_clears_and_prevents,
)

pytestmark = pytest.mark.skipif(not postgres.available(), reason="no PostgreSQL binaries")


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def scorer(nats_env):
    with postgres.databases("scorer") as (url,):
        async with running_scorer(nats_env, url) as harness:
            yield harness
