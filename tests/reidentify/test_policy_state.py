"""The policy's facts held in memory (services.reidentify.policy): read from the database at
start-up, changed only by committed transactions, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from services.common.state import state_of
from services.reidentify.policy import after_commit
from tests.reidentify.conftest import RATE, flag, running
from tests.reidentify.test_unlock import FAMILY, GIVEN, body, found


async def _unlock(env, pseudonym: str, sub: str):
    return await env.client.post("/v1/unlock", json=body(pseudonym), headers=env.clearance(sub))


async def test_policy_state_is_read_back_at_start_up(nats_env, tmp_path, database_url):
    var = tmp_path / "var"
    async with running(nats_env, database_url, var) as env:
        await env.publish_flags(flag("p-keep"), flag("p-gone"), flag("p-opt"))
        await env.publish_flags(flag("p-gone", active=False))  # a later state: inactive
        await env.publish_decision("p-opt", "opt_out")
        for p in ("p-keep", "p-gone", "p-opt"):
            env.replies[p] = found((GIVEN, FAMILY))
        for _ in range(RATE):
            assert (await _unlock(env, "p-keep", "cw-state")).status_code == 200
        assert (await _unlock(env, "p-keep", "cw-state")).status_code == 429
        assert (await _unlock(env, "p-gone", "cw-state-2")).json()["reason"] == "no-active-flag"
        assert (await _unlock(env, "p-opt", "cw-state-3")).json()["reason"] == "consent"
    async with running(nats_env, database_url, var) as env:  # a new process: from the tables
        for p in ("p-keep", "p-gone", "p-opt"):
            env.replies[p] = found((GIVEN, FAMILY))
        r = await _unlock(env, "p-keep", "cw-state")
        assert r.status_code == 429, r.text  # the window was read from the access log
        assert (await _unlock(env, "p-keep", "cw-state-4")).status_code == 200
        assert (await _unlock(env, "p-gone", "cw-state-4")).json()["reason"] == "no-active-flag"
        assert (await _unlock(env, "p-opt", "cw-state-4")).json()["reason"] == "consent"
        await env.publish_decision("p-opt", "consent")  # lifted: memory follows the commit
        assert (await _unlock(env, "p-opt", "cw-state-5")).status_code == 200
        r = await env.client.get("/v1/access-log/verify",
                                 headers=env.clearance("auditor-s", roles=["auditor"]))
        assert r.json()["valid"] is True and r.json()["entries"] == RATE + 8


async def test_a_change_reaches_memory_only_when_its_transaction_commits(env):
    seen: list[str] = []
    async with state_of(env.app).sessionmaker() as session:
        await session.begin()
        after_commit(session, lambda: seen.append("rolled back"))
        await session.rollback()
        async with session.begin():
            after_commit(session, lambda: seen.append("committed"))
            assert seen == []
    assert seen == ["committed"]
