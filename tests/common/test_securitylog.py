"""Every slice's security log, on the consent slice over a real NATS: authentication
results, refusals, changes and releases are recorded, chained and signed; the heads are
kept on a stream nobody may purge; a partner reads only its own events; tampering with
the table is caught by verification."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from nats.js.errors import APIError

from services.common.chain import link
from services.common.db import run_migrations
from services.common.securitylog.heads import read_heads
from services.common.securitylog.table import FIELDS
from services.common.state import state_of
from services.common.subjects import security_heads_stream
from services.consent.app import create_app
from services.consent.settings import ConsentSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "consent" / "migrations"


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def slice_(nats_env, tmp_path_factory):
    path = tmp_path_factory.mktemp("consent-db") / "consent.db"
    url = f"sqlite+aiosqlite:///{path}"
    run_migrations(MIGRATIONS, url)
    app = create_app(ConsentSettings(**nats_env.settings_kwargs("consent", url)))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://test") as client:
            yield app, client, path


def bearer(nats_env, *roles: str, **claims) -> dict:
    token = nats_env.token("consent", subject=claims.pop("sub", "someone"),
                           roles=list(roles), **claims)
    return {"Authorization": f"Bearer {token}"}


async def events(client, nats_env, **params) -> list[dict]:
    r = await client.get("/v1/security-events", params={"limit": 1000, **params},
                         headers=bearer(nats_env, "auditor", sub="auditor-1"))
    assert r.status_code == 200, r.text
    return r.json()["events"]


@pytest.mark.asyncio(loop_scope="session")
async def test_refusals_changes_and_releases_are_recorded(slice_, nats_env):
    app, client, _ = slice_
    # a forged token, a caseworker at an admin route, an admin's change, a read
    assert (await client.get("/v1/decisions", params={"pseudonym": "p-1"},
                             headers={"Authorization": "Bearer not.a.token"})).status_code == 401
    admin = bearer(nats_env, "admin", sub="admin-7")
    caseworker = bearer(nats_env, "caseworker", sub="cw-3", districts=["OL1"])
    assert (await client.post("/v1/revocations", json={"jti": "j-1", "reason": "lost"},
                              headers=caseworker)).status_code == 403
    assert (await client.post("/v1/revocations", json={"jti": "j-1", "reason": "lost laptop"},
                              headers=admin)).status_code == 201
    # a 503 (the area of the person unknown here) is recorded as a failed release
    coordinator = bearer(nats_env, "coordinator", sub="co-2")
    await client.get("/v1/decisions", params={"pseudonym": "p-1"}, headers=coordinator)
    await events(client, nats_env)
    seen = [(e["kind"], e["outcome"], e["sub"], e["action"]) for e in
            await events(client, nats_env)]
    assert ("authentication", "failure", None, "GET /v1/decisions") in seen
    assert ("authorisation", "refused", "cw-3", "POST /v1/revocations") in seen
    assert ("change", "success", "admin-7", "POST /v1/revocations") in seen
    assert ("release", "failure", "co-2", "GET /v1/decisions") in seen
    assert ("release", "success", "auditor-1", "GET /v1/security-events") in seen
    # a token's first use is an authentication of its own; later uses are not
    firsts = [s for s in seen if s[:3] == ("authentication", "success", "cw-3")]
    assert len(firsts) == 1
    assert {e["sub"] for e in await events(client, nats_env, sub="admin-7")} == {"admin-7"}
    failure = next(e for e in await events(client, nats_env, kind="authentication")
                   if e["outcome"] == "failure")
    assert failure["detail"] == "malformed token" and failure["status"] == 401
    # nothing a caller sent is kept: no pseudonym, no reason, no body
    everything = str(await events(client, nats_env))
    assert "p-1" not in everything and "lost laptop" not in everything
    assert state_of(app).rt.security.log.dropped == 0


@pytest.mark.asyncio(loop_scope="session")
async def test_a_partner_reads_only_the_events_about_its_own_data(slice_, nats_env):
    _, client, _ = slice_
    for partner in ("police-gmp", "csc-la"):
        headers = bearer(nats_env, sub=f"{partner}-system", partner=partner)
        await client.get("/v1/security-events", headers=headers)
    r = await client.get("/v1/security-events",
                         headers=bearer(nats_env, sub="police-gmp-system", partner="police-gmp"))
    assert r.status_code == 200
    mine = r.json()["events"]
    assert mine and {e["partner"] for e in mine} == {"police-gmp"}
    nobody = await client.get("/v1/security-events", headers=bearer(nats_env, "caseworker"))
    assert nobody.status_code == 403


@pytest.mark.asyncio(loop_scope="session")
async def test_heads_are_signed_onto_a_stream_nobody_may_purge(slice_, nats_env):
    app, client, _ = slice_
    security = state_of(app).rt.security
    line = await security.heads.sign()
    assert line is not None and line["kid"] == security.signer.kid
    heads = await read_heads(state_of(app).rt.js, "consent")
    assert heads[-1][1] == line
    verified = await client.get("/v1/security-events/verify",
                                headers=bearer(nats_env, "auditor"))
    assert verified.status_code == 200, verified.text
    assert verified.json()["valid"] is True and verified.json()["signed_seq"] == line["seq"]
    # not even the provisioner, who may call all of JetStream's API, can remove a head
    nc = await nats_env.connect("provisioner")
    try:
        js = nc.jetstream()
        with pytest.raises(APIError):
            await js.purge_stream(security_heads_stream("consent"))
        with pytest.raises(APIError):
            await js.delete_msg(security_heads_stream("consent"), heads[-1][0])
    finally:
        await nc.close()


def _rewrite(path: Path, sql: str, rechain: bool) -> None:
    with sqlite3.connect(path) as con:
        con.execute(sql)
        if rechain:  # cover the change: entries renumbered, every hash made again
            columns = ", ".join(FIELDS)  # the table's own column names, not input
            rows = con.execute(f"SELECT {columns} FROM security_events "  # noqa: S608
                               "ORDER BY seq").fetchall()
            prev = "0" * 64
            for seq, row in enumerate(rows, start=1):
                data = dict(zip(FIELDS, row, strict=True))
                was, data["seq"] = data["seq"], seq
                data["at"] = datetime.fromisoformat(data["at"])
                digest = link(prev, data)
                con.execute("UPDATE security_events SET seq = ?, prev_hash = ?, hash = ? "
                            "WHERE seq = ?", (seq, prev, digest, was))
                prev = digest


@pytest.mark.asyncio(loop_scope="session")
async def test_tampering_is_caught_and_alerted(slice_, nats_env, caplog):
    app, client, path = slice_
    security = state_of(app).rt.security
    await security.log.flush()
    # an entry edited in place: its hash no longer holds
    _rewrite(path, "UPDATE security_events SET sub = 'someone-else' WHERE sub = 'admin-7'",
             rechain=False)
    verdict = (await client.get("/v1/security-events/verify",
                                headers=bearer(nats_env, "auditor"))).json()
    assert verdict["valid"] is False
    assert {p["problem"] for p in verdict["problems"]} == {"chain"}
    assert "security log verification FAILED: chain" in caplog.text
    assert security.failures >= 1
    # edited and re-chained, so the chain holds: the signed head on the stream disagrees
    _rewrite(path, "DELETE FROM security_events WHERE sub = 'someone-else'", rechain=True)
    verdict = (await client.get("/v1/security-events/verify",
                                headers=bearer(nats_env, "auditor"))).json()
    problems = {p["problem"] for p in verdict["problems"]}
    assert "chain" not in problems and problems & {"head-mismatch", "truncated"}
    # and the failure is itself an event
    kinds = [(e["kind"], e["outcome"]) for e in await events(client, nats_env,
                                                             kind="verification")]
    assert ("verification", "failure") in kinds

