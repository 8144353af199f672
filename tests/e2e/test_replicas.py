"""`tessera run --replicas 2`: two processes of every slice, behind
HAProxy, with a synthetic borough pushed through them. Two scorers flag exactly who the
generator says; reidentify's two replicas keep one caller's rate, both honour every flag,
opt-out and token revocation, and their appends make one chain that verifies."""

from __future__ import annotations

import asyncio
import time
from datetime import date

import httpx
import jwt
import pytest_asyncio

from tests.e2e.conftest import federation_with_borough
from tests.e2e.test_federation import PURPOSE, pseudonyms_of, settled_cohort

RATE = 20
REPLICAS = ("reidentify", "reidentify-2")
CLEARANCE = {"roles": ["caseworker"], "districts": ["OL1", "OL2", "OL4", "OL8", "OL9"],
             "purposes": [PURPOSE], "org": "oldham-early-help"}


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def scaled(tmp_path_factory):
    async with federation_with_borough(tmp_path_factory.mktemp("replicas"), households=150,
                                       replicas=2, unlock_rate=RATE) as run:
        yield run


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def flagged(scaled) -> list[str]:
    rows = await settled_cohort(scaled, CLEARANCE, len(scaled.borough.truth.flagged()))
    assert len(rows) >= 4
    return [row["pseudonym"] for row in rows]


def bearer(run, sub: str, **claims) -> dict:
    return {"Authorization": "Bearer " + run.token("reidentify", subject=sub,
                                                   **{**CLEARANCE, **claims})}


async def unlock(client, url: str, pseudonym: str, headers: dict) -> httpx.Response:
    return await client.post(f"{url}/v1/unlock", headers=headers, json={
        "pseudonym": pseudonym, "purpose": PURPOSE,
        "justification": "End-to-end test: early help panel, two replicas"})


def replica_urls(run) -> list[str]:
    """Each reidentify process itself, not the balancer."""
    return [run.fed.instance_url(name) for name in REPLICAS]


async def test_both_replicas_hold_every_flag(scaled, flagged):
    """The borough's flags were applied by whichever replica the durable consumer gave
    each batch to; each replica unlocks every one of them."""
    async with httpx.AsyncClient(timeout=30) as client:
        for n, url in enumerate(replica_urls(scaled)):
            for i, pseudonym in enumerate(flagged):
                headers = bearer(scaled, f"cw-all-{n}-{i // (RATE - 1)}")
                r = await unlock(client, url, pseudonym, headers)
                assert r.status_code == 200, (url, r.text)


async def test_two_scorers_flag_exactly_who_the_generator_says(scaled, flagged):
    """Two scorer processes share the profiles stream, and may apply one person's
    profiles in either order: what they flag together is the generator's truth, and each
    profile they applied is kept with the linker's sequence."""
    fed = scaled.fed
    assert fed.instances("scorer") == ["scorer", "scorer-2"]
    async with httpx.AsyncClient(timeout=30, verify=fed.verify) as client:
        for name in fed.instances("scorer"):
            assert (await client.get(fed.instance_url(name) + "/readyz")).status_code == 200
    pseudonym_of = pseudonyms_of(scaled)
    expected = {pseudonym_of[p] for p in scaled.borough.truth.flagged()}
    assert set(flagged) == expected, (len(set(flagged) - expected), len(expected - set(flagged)))
    con = scaled.connect("scorer")
    try:
        unordered = con.execute(
            "SELECT COUNT(*) FROM evaluations e WHERE NOT EXISTS (SELECT 1 FROM "
            "profile_sequences s WHERE s.pseudonym = e.pseudonym AND s.level = e.level "
            "AND s.sequence > 0)").fetchone()[0]
    finally:
        con.close()
    assert unordered == 0


async def test_a_callers_rate_is_not_doubled_by_two_replicas(scaled, flagged):
    urls = replica_urls(scaled)
    async with httpx.AsyncClient(timeout=30) as client:
        statuses = [(await unlock(client, urls[i % 2], flagged[0],
                                  bearer(scaled, "cw-round-robin"))).status_code
                    for i in range(2 * RATE)]
        assert statuses == [200] * RATE + [429] * RATE
        # a burst through the balancer: spread over both, and still the rate
        replies = await asyncio.gather(*(
            unlock(client, scaled.url("reidentify"), flagged[1], bearer(scaled, "cw-burst"))
            for _ in range(3 * RATE)))
    assert sorted(r.status_code for r in replies) == [200] * RATE + [429] * (2 * RATE)


async def honoured_by_both(scaled, check) -> float:
    """Seconds until `check(client, url)` holds at both replicas (polled)."""
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=30) as client:
        for url in replica_urls(scaled):
            deadline = time.monotonic() + 30
            while not await check(client, url):
                assert time.monotonic() < deadline, f"{url} never honoured it"
                await asyncio.sleep(0.02)
    return time.monotonic() - started


async def test_an_opt_out_and_a_revoked_token_reach_both_replicas(scaled, flagged):
    pseudonym = flagged[2]
    coordinator = scaled.token("consent", subject="coord-1", roles=["coordinator"])
    async with httpx.AsyncClient(timeout=30) as client:
        r = await client.post(f"{scaled.url('consent')}/v1/decisions", json={
            "pseudonym": pseudonym, "status": "opt_out", "scope": "all",
            "decided_on": date.today().isoformat()},
            headers={"Authorization": f"Bearer {coordinator}"})
        assert r.status_code == 201, r.text
    callers = iter(range(10_000))

    async def refused_for_consent(client, url) -> bool:
        # the opt-out reaches reidentify itself, and also makes the scorer clear the flag
        reply = await unlock(client, url, pseudonym, bearer(scaled, f"cw-opt-{next(callers)}"))
        return reply.status_code == 403 and reply.json()["reason"] in ("consent",
                                                                       "no-active-flag")

    seconds = await honoured_by_both(scaled, refused_for_consent)
    print(f"\nopt-out honoured by both replicas {seconds:.3f} s after consent recorded it")

    token = scaled.token("reidentify", subject="cw-revoked", **CLEARANCE)
    admin = scaled.token("reidentify", subject="admin-1", roles=["admin"])
    async with httpx.AsyncClient(timeout=30) as client:
        for url in replica_urls(scaled):
            r = await unlock(client, url, flagged[3], {"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, r.text
        r = await client.post(f"{scaled.url('reidentify')}/v1/revocations", json={
            "jti": jwt.decode(token, options={"verify_signature": False})["jti"],
            "reason": "device lost"}, headers={"Authorization": f"Bearer {admin}"})
        assert r.status_code == 201, r.text

    async def refused_token(client, url) -> bool:
        reply = await unlock(client, url, flagged[3], {"Authorization": f"Bearer {token}"})
        return reply.status_code == 401

    seconds = await honoured_by_both(scaled, refused_token)
    print(f"token revocation honoured by both replicas {seconds:.3f} s after it was made")


async def test_concurrent_unlocks_through_both_replicas_verify_as_one_chain(scaled, flagged):
    usable = [p for p in flagged if p != flagged[2]]  # not the one who opted out
    async with httpx.AsyncClient(timeout=60) as client:
        replies = await asyncio.gather(*(
            unlock(client, scaled.url("reidentify"), usable[i % len(usable)],
                   bearer(scaled, f"cw-chain-{i % 8}"))
            for i in range(8 * RATE)))
        assert [r.status_code for r in replies].count(200) == 8 * RATE
        auditor = bearer(scaled, "auditor-1", roles=["auditor"])
        for url in replica_urls(scaled):
            r = await client.get(f"{url}/v1/access-log/verify", headers=auditor)
            assert r.status_code == 200, r.text
            assert r.json()["valid"] is True, r.json()


async def test_the_pseudonymisers_writer_routes_reach_its_writer(scaled):
    """One pseudonymiser replica writes, the other stands by; through the balancer
    the writer's routes reach the writer every time, and the reads reach both."""
    fed = scaled.fed
    roles = {}
    async with httpx.AsyncClient(timeout=30) as client:
        for name in fed.instances("pseudonymiser"):
            ready = (await client.get(fed.instance_url(name) + "/readyz")).json()
            roles[name] = ready["role"]
            assert ready["replica"] == name
        assert sorted(roles.values()) == ["standby", "writer"]
        officer = {"Authorization": "Bearer " + scaled.token(
            "pseudonymiser", subject="officer-1", roles=["linkage-officer"])}
        url = scaled.url("pseudonymiser")
        models = [(await client.get(f"{url}/v1/linkage/model", headers=officer)).status_code
                  for _ in range(20)]
        assert models == [200] * 20
        pending = (await client.get(f"{url}/v1/review", headers=officer,
                                    params={"limit": 10})).json()
        pairs = [p["pair_id"] for p in pending] + [f"no-such-pair-{i}" for i in range(10)]
        decided = [(await client.post(f"{url}/v1/review/{pair}", headers=officer,
                                      json={"decision": "non_match"})).status_code
                   for pair in pairs]
        assert decided == [200] * len(pending) + [404] * 10
        standby = next(n for n, role in roles.items() if role == "standby")
        r = await client.get(fed.instance_url(standby) + "/v1/linkage/model",
                             headers=officer)
        assert r.status_code == 503 and r.json()["type"] == "urn:tessera:problem:standby"
