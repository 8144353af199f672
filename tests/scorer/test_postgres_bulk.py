"""The bulk re-score with the linker and the scorer on PostgreSQL (asyncpg), same code."""

from __future__ import annotations

import pytest
import pytest_asyncio

from tests import postgres
from tests.scorer.test_bulk_rescore import (  # noqa: F401 - collected here again, on PostgreSQL
    running_federation,
    test_a_changed_profile_wins_over_an_older_export,
    test_bulk_rescore_gives_the_incremental_flags,
)

pytestmark = pytest.mark.skipif(not postgres.available(), reason="no PostgreSQL binaries")


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def federation(nats_env):
    with postgres.databases("linker", "scorer") as (linker_url, scorer_url):
        async with running_federation(nats_env, linker_url, scorer_url) as fed:
            yield fed
