"""Coalesced profile publication on PostgreSQL (asyncpg), without code changes."""

from __future__ import annotations

import pytest
import pytest_asyncio

from tests import postgres
from tests.linker.conftest import running_linker
from tests.linker.test_publisher import (  # noqa: F401 - collected here again, on PostgreSQL
    PER_MESSAGE,
    PER_ROUND,
    test_an_export_is_ordered_between_the_profiles_around_it,
    test_full_republish_goes_out_in_bounded_rounds,
    test_many_batches_one_profile,
    test_mark_set_again_during_a_round_is_kept,
    test_the_last_profile_of_two_publishers_has_the_largest_sequence,
)

pytestmark = pytest.mark.skipif(not postgres.available(), reason="no PostgreSQL binaries")


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def linker(nats_env):
    with postgres.databases("linker") as (url,):
        async with running_linker(nats_env, url, profile_interval_s=3600,
                                  profiles_per_round=PER_ROUND,
                                  profiles_per_message=PER_MESSAGE) as harness:
            yield harness
