"""POST /v1/unlock served by the fast path answers exactly as the route does, and only the
requests the route would accept are served there."""

from __future__ import annotations

import json
import re

import pytest

from services.common.state import state_of
from tests.reidentify.conftest import flag, running
from tests.reidentify.test_unlock import FAMILY, GIVEN, body, found


def _without_access_id(text: str) -> str:
    return re.sub(r'"access_id":\d+', '"access_id":0', text)


async def _both_ways(env, request: dict, sub: str, **claims):
    """The same request through the fast path and through the route."""
    served = state_of(env.app).fast_unlocks
    fast = await env.client.post("/v1/unlock", content=json.dumps(request),
                                 headers={**env.clearance(sub, **claims),
                                          "Content-Type": "application/json"})
    fast_served = state_of(env.app).fast_unlocks - served
    state_of(env.app).fast_unlock = False
    try:
        routed = await env.client.post("/v1/unlock", content=json.dumps(request),
                                       headers={**env.clearance(sub + "-r", **claims),
                                                "Content-Type": "application/json"})
    finally:
        state_of(env.app).fast_unlock = True
    return fast, routed, fast_served


@pytest.mark.parametrize("case", ["allowed", "household", "no-flag", "district", "consent"])
async def test_fast_path_answers_as_the_route(env, case):
    p = f"p-fast-{case}"
    if case != "no-flag":
        await env.publish_flags(flag(p, area="OL9" if case == "district" else "OL1",
                                     level="household" if case == "household" else "person"))
    if case == "consent":
        await env.publish_decision(p, "opt_out")
    env.replies[p] = found((GIVEN, FAMILY), ("Zoë", "Ó Briain"))
    fast, routed, served = await _both_ways(env, body(p), f"cw-fast-{case}")
    assert served == 1
    assert fast.status_code == routed.status_code
    assert fast.headers["content-type"] == routed.headers["content-type"]
    assert _without_access_id(fast.text) == _without_access_id(routed.text)
    assert fast.json()["access_id"] != routed.json()["access_id"]
    entries = await env.log_for(f"cw-fast-{case}")
    assert len(entries) == 1 and entries[0]["seq"] == fast.json()["access_id"]
    if case in ("allowed", "household"):
        assert fast.json()["subjects"][-1]["given_name"] == "Zoë"


@pytest.mark.parametrize("label,request_body,headers,status", [
    ("no-token", body("p-fast-allowed"), {}, 401),
    ("bad-token", body("p-fast-allowed"), {"Authorization": "Bearer x.y.z"}, 401),
    ("role", body("p-fast-allowed"), "coordinator", 403),
    ("short", body("p-fast-allowed") | {"justification": "short"}, None, 422),
    ("extra", body("p-fast-allowed", extra=1), None, 422),
    ("not-json", "pseudonym=p", None, 422),
])
async def test_what_the_fast_path_does_not_accept_goes_to_the_route(env, label, request_body,
                                                                    headers, status):
    sub = f"cw-fast-no-{label}"
    if headers is None:
        headers = env.clearance(sub)
    elif headers == "coordinator":
        headers = env.clearance(sub, roles=["coordinator"])
    served = state_of(env.app).fast_unlocks
    content = request_body if isinstance(request_body, str) else json.dumps(request_body)
    r = await env.client.post("/v1/unlock", content=content,
                              headers={**headers, "Content-Type": "application/json"})
    assert r.status_code == status
    assert state_of(env.app).fast_unlocks == served
    if status != 422:  # the route logs it and names the entry (422 problems never did)
        assert "access_id" in r.json()
    else:
        assert [e["reason"] for e in await env.log_for(sub)] == ["invalid-request"]


async def test_a_revoked_token_is_not_served_by_the_fast_path(env):
    headers = env.clearance("cw-fast-revoked")
    token = headers["Authorization"].split()[1]
    jti = state_of(env.app).gatekeeper.authenticate(f"Bearer {token}").jti
    await state_of(env.app).rt.revocations.revoke(jti, "lost", "admin-1")
    served = state_of(env.app).fast_unlocks
    r = await env.client.post("/v1/unlock", json=body("p-fast-allowed"), headers=headers)
    assert r.status_code == 401 and r.json()["detail"] == "token revoked"
    assert state_of(env.app).fast_unlocks == served
    assert [e["reason"] for e in await env.log_for("cw-fast-revoked")] == ["revoked"]


@pytest.mark.parametrize("path", ["/v1/unlock", "/v1/partner-lookup"])
@pytest.mark.parametrize("streamed", [False, True])
async def test_an_oversized_body_at_a_door_is_refused_and_logged(env, path, streamed):
    sub = f"cw-big-{path.rsplit('/', 1)[1]}-{streamed}"
    big = json.dumps(body("p-fast-allowed") | {"justification": "x" * 40_000}).encode()

    async def chunks():
        for i in range(0, len(big), 4096):
            yield big[i:i + 4096]

    r = await env.client.post(path, content=chunks() if streamed else big,
                              headers={**env.clearance(sub), "Content-Type": "application/json"})
    assert r.status_code == 413
    entries = await env.log_for(sub)
    assert [(e["outcome"], e["reason"], e["justification"]) for e in entries] == [
        ("refused", "too-large", None)]
    assert r.json()["access_id"] == entries[0]["seq"]


async def test_a_browsers_unlock_at_the_door_reads_its_answer(nats_env, tmp_path):
    """The console's page calls the door from its own origin: what the fast path answers
    itself, an unlock's answer and a 413 alike, carries the CORS headers its page needs.
    (No flag is published: the module's reidentify shares the bus's durable consumers.)"""
    origin = "https://console.council.test"
    url = f"sqlite+aiosqlite:///{tmp_path / 'reidentify.db'}"
    async with running(nats_env, url, tmp_path / "var", cors_origins=[origin]) as env:
        headers = {**env.clearance("cw-cors"), "Origin": origin}
        r = await env.client.post("/v1/unlock", json=body("p-cors"), headers=headers)
        assert r.status_code == 403 and r.json()["reason"] == "no-active-flag"
        assert state_of(env.app).fast_unlocks == 1
        assert r.headers["access-control-allow-origin"] == origin
        big = body("p-cors") | {"justification": "x" * 40_000}
        r = await env.client.post("/v1/unlock", json=big, headers=headers)
        assert r.status_code == 413 and r.headers["access-control-allow-origin"] == origin
        r = await env.client.post("/v1/unlock", json=body("p-cors"),
                                  headers={**headers, "Origin": "https://elsewhere.test"})
        assert r.status_code == 403 and "access-control-allow-origin" not in r.headers
