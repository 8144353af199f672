"""The linker's flows and aggregates on PostgreSQL (asyncpg), without code changes."""

from __future__ import annotations

import pytest
import pytest_asyncio

from tests import postgres
from tests.linker.conftest import running_linker
from tests.linker.test_demand import (  # noqa: F401 - collected here again, on PostgreSQL
    test_concurrent_events_and_assignments_all_join,
    test_demand_suppresses_small_numbers_and_reports_concentration,
)
from tests.linker.test_linking import (  # noqa: F401
    test_events_before_and_after_assignment_both_join,
    test_merge_moves_record_token_and_publishes_both_profiles,
    test_opt_out_by_partner_then_all_then_lifted,
    test_withheld_assignment_keeps_events_out_until_the_sweep_erases_them,
)

pytestmark = pytest.mark.skipif(not postgres.available(), reason="no PostgreSQL binaries")


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def linker(nats_env):
    with postgres.databases("linker") as (url,):
        async with running_linker(nats_env, url) as harness:
            yield harness
