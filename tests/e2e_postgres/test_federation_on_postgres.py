"""The same federation on PostgreSQL 15, one database and role per service, no code changes."""

from __future__ import annotations

import secrets

import pytest
import pytest_asyncio

from services.common.subjects import SERVICES
from tests import postgres
from tests.e2e.conftest import federation_with_borough
from tests.e2e.test_federation import cohort, settled_cohort

pytestmark = pytest.mark.skipif(not postgres.available(), reason="no PostgreSQL binaries")


@pytest.fixture(scope="module")
def pg():
    server = postgres.start()
    yield server
    server.stop()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def running_pg(pg, tmp_path_factory):
    urls = {s: pg.create_database(s, f"tessera_{s}", secrets.token_hex(8)) for s in SERVICES}
    async with federation_with_borough(tmp_path_factory.mktemp("federation-pg"),
                                       households=120, seed=5, database_urls=urls) as run:
        yield run


async def test_flags_on_postgres_match_the_truth(running_pg):
    clearance = {"roles": ["caseworker"], "districts": ["OL1", "OL2", "OL4", "OL8", "OL9"],
                 "purposes": ["early-help-triage"], "org": "test"}
    truth = running_pg.borough.truth
    expected = truth.flagged()
    rows = await settled_cohort(running_pg, clearance, len(expected))
    assert len(rows) == len(expected) > 0
    assert not list(running_pg.fed.layout.data.glob("*.db")), "no SQLite file may be used"
    again = await cohort(running_pg, clearance)
    assert {r["pseudonym"] for r in again} == {r["pseudonym"] for r in rows}
