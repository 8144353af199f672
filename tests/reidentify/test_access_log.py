"""The access log's hash chain: verify detects an edited, deleted or reordered entry."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.common.db import build_engine, build_sessionmaker, run_migrations
from services.reidentify import audit, service
from tests.reidentify.conftest import MIGRATIONS

ENTRIES = 6


@pytest.fixture
async def chain(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'log.db'}"
    run_migrations(MIGRATIONS, url)
    engine = build_engine(url)
    sessionmaker = build_sessionmaker(engine)
    reidentifier = service.Reidentifier(sessionmaker, None, timeout_s=1, rate_per_hour=30)
    for i in range(ENTRIES):
        await reidentifier.append({
            "sub": f"cw-{i % 2}", "org": "org", "pseudonym": f"p-{i}", "rule_id": "r",
            "purpose": "early-help-triage", "justification": "a justification of some length",
            "outcome": "allowed" if i % 2 else "refused", "reason": None if i % 2 else "district",
        })
    yield sessionmaker
    await engine.dispose()


async def verify(sessionmaker) -> dict:
    async with sessionmaker() as session:
        return await audit.verify(session)


async def run_sql(sessionmaker, *statements: str) -> None:
    async with sessionmaker() as session, session.begin():
        for statement in statements:
            await session.execute(text(statement))


async def test_intact_chain_verifies(chain):
    result = await verify(chain)
    assert result["valid"] is True
    assert result["entries"] == ENTRIES
    assert result["first_bad_seq"] is None
    assert len(result["head"]) == 64


async def test_concurrent_appends_keep_one_chain(chain):
    import asyncio

    reidentifier = service.Reidentifier(chain, None, timeout_s=1, rate_per_hour=30)
    entry = {"sub": "x", "org": None, "pseudonym": "p", "rule_id": None, "purpose": "p",
             "justification": None, "outcome": "error", "reason": "internal"}
    rows = await asyncio.gather(*(reidentifier.append(entry) for _ in range(20)))
    assert sorted(r.seq for r in rows) == list(range(ENTRIES + 1, ENTRIES + 21))
    assert (await verify(chain))["valid"] is True


@pytest.mark.parametrize("tamper,first_bad", [
    (["UPDATE access_log SET justification = 'nothing to see' WHERE seq = 3"], 3),
    (["UPDATE access_log SET outcome = 'refused' WHERE seq = 2"], 2),
    (["UPDATE access_log SET sub = 'someone-else' WHERE seq = 6"], 6),
    (["DELETE FROM access_log WHERE seq = 4"], 5),
    (["DELETE FROM access_log WHERE seq = 1"], 2),
    # swap entries 2 and 3 (reorder)
    (["UPDATE access_log SET seq = -2 WHERE seq = 2",
      "UPDATE access_log SET seq = 2 WHERE seq = 3",
      "UPDATE access_log SET seq = 3 WHERE seq = -2"], 2),
])
async def test_tampering_is_detected(chain, tamper, first_bad):
    await run_sql(chain, *tamper)
    result = await verify(chain)
    assert result["valid"] is False
    assert result["first_bad_seq"] == first_bad


async def test_recomputed_hash_after_edit_still_breaks_the_link(chain):
    """Re-hashing an edited entry moves the break to the next entry."""
    from services.reidentify.chain import entry_hash, row_fields
    from services.reidentify.models import AccessEntry

    async with chain() as session, session.begin():
        row = await session.get(AccessEntry, 3)
        row.justification = "rewritten afterwards"
        row.hash = entry_hash(row.prev_hash, row_fields(row))
    result = await verify(chain)
    assert (result["valid"], result["first_bad_seq"]) == (False, 4)
