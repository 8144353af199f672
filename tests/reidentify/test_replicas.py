"""Two reidentify processes on one database and one NATS, as two replicas behind a load
balancer: one caller's rate holds across both, a change either one applies reaches the
other, and their appends make one chain (services/reidentify/ledger.py, notices.py)."""

from __future__ import annotations

import asyncio
import contextlib

import httpx

from services.common.state import state_of
from services.reidentify.app import create_app
from tests.reidentify.conftest import RATE, flag, running
from tests.reidentify.test_unlock import FAMILY, GIVEN, body, found
from tests.support import eventually


@contextlib.asynccontextmanager
async def two_replicas(nats_env, url, var):
    """The first replica with the stand-in pseudonymiser, scorer and consent (conftest),
    and a second process of the same settings: (env, [client of each])."""
    async with running(nats_env, url, var) as env:
        app = create_app(state_of(env.app).settings)
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://test") as other:
                yield env, [env.client, other]


async def unlock(client, env, pseudonym: str, sub: str) -> httpx.Response:
    return await client.post("/v1/unlock", json=body(pseudonym), headers=env.clearance(sub))


async def test_a_callers_rate_holds_across_replicas(nats_env, tmp_path, database_url):
    async with two_replicas(nats_env, database_url, tmp_path / "var") as (env, clients):
        await env.publish_flags(flag("p-rr"))
        env.replies["p-rr"] = found((GIVEN, FAMILY))
        await eventually(lambda: _allowed_by(clients[1], env, "p-rr", "cw-probe"))
        # round-robin, one at a time: the rate, not twice it
        statuses = [(await unlock(clients[i % 2], env, "p-rr", "cw-rr")).status_code
                    for i in range(2 * RATE)]
        assert statuses == [200] * RATE + [429] * RATE
        # a burst split across both: the rate, not more
        replies = await asyncio.gather(*(unlock(clients[i % 2], env, "p-rr", "cw-burst")
                                         for i in range(4 * RATE)))
        assert sorted(r.status_code for r in replies) == [200] * RATE + [429] * (3 * RATE)
        entries = await env.log_for("cw-burst")
        assert sorted(e["reason"] or "-" for e in entries) == ["-"] * RATE + ["rate"] * (3 * RATE)


async def _allowed_by(client, env, pseudonym: str, sub: str) -> bool:
    return (await unlock(client, env, pseudonym, sub)).status_code == 200


async def _reason(client, env, pseudonym: str, sub: str) -> str | None:
    r = await unlock(client, env, pseudonym, sub)
    return None if r.status_code == 200 else r.json()["reason"]


async def test_a_flag_an_opt_out_and_a_lifting_reach_both_replicas(nats_env, tmp_path,
                                                                  database_url):
    """Each change is applied by whichever replica the durable consumer gives it to; the
    other reads it back from its notice."""
    async with two_replicas(nats_env, database_url, tmp_path / "var") as (env, clients):
        env.replies["p-new"] = found((GIVEN, FAMILY))
        for client in clients:
            assert await _reason(client, env, "p-new", "cw-before") == "no-active-flag"
        await env.publish_flags(flag("p-new"))
        for n, client in enumerate(clients):  # each caller within its rate
            await eventually(lambda c=client, n=n: _allowed_by(c, env, "p-new", f"cw-flag-{n}"))
        await env.publish_decision("p-new", "opt_out")
        for n, client in enumerate(clients):
            await eventually(lambda c=client, n=n: _is(c, env, "p-new", f"cw-opt-{n}", "consent"))
        await env.publish_decision("p-new", "consent")
        for n, client in enumerate(clients):
            await eventually(lambda c=client, n=n: _allowed_by(c, env, "p-new", f"cw-lift-{n}"))
        await env.publish_flags(flag("p-new", active=False))
        for n, client in enumerate(clients):
            await eventually(lambda c=client, n=n: _is(c, env, "p-new", f"cw-gone-{n}",
                                                       "no-active-flag"))


async def _is(client, env, pseudonym: str, sub: str, reason: str) -> bool:
    return await _reason(client, env, pseudonym, sub) == reason


async def test_concurrent_unlocks_through_both_replicas_make_one_chain(nats_env, tmp_path,
                                                                       database_url):
    async with two_replicas(nats_env, database_url, tmp_path / "var") as (env, clients):
        await env.publish_flags(flag("p-chain"))
        env.replies["p-chain"] = found((GIVEN, FAMILY))
        await eventually(lambda: _allowed_by(clients[1], env, "p-chain", "cw-chain-probe"))
        replies = await asyncio.gather(*(
            unlock(clients[i % 2], env, "p-chain", f"cw-chain-{i % 7}") for i in range(60)))
        assert all(r.status_code in (200, 429) for r in replies)
        seqs = sorted(r.json()["access_id"] for r in replies if r.status_code == 200)
        assert len(seqs) == len(set(seqs)) == 7 * RATE  # seven callers, each its rate
        for client in clients:
            r = await client.get("/v1/access-log/verify",
                                 headers=env.clearance("auditor-r", roles=["auditor"]))
            assert r.status_code == 200
            assert r.json()["valid"] is True, r.json()
            assert r.json()["entries"] == len(await env.log_for_all())

