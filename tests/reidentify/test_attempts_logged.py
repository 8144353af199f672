"""Every attempt at an audited door appears in the access log exactly once: refused by
the token check, the role or scope check, the body validation or the policy, allowed,
timed out or cancelled."""

from __future__ import annotations

import asyncio

import jwt
from sqlalchemy import func, select

from services.common.state import state_of
from services.common.tokens import Claims
from services.reidentify.attempts import UNAUTHENTICATED
from services.reidentify.models import AccessEntry
from services.reidentify.service import UnlockRequest
from tests.reidentify.conftest import PURPOSE, flag
from tests.reidentify.test_tokens import CASES, forge
from tests.reidentify.test_unlock import FAMILY, GIVEN, assert_no_identity, body, found
from tests.support import eventually


async def log_count(env) -> int:
    async with state_of(env.app).sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(AccessEntry))).scalar_one()


async def all_entries(env) -> list[AccessEntry]:
    async with state_of(env.app).sessionmaker() as s:
        return list((await s.execute(select(AccessEntry).order_by(AccessEntry.seq))).scalars())


async def test_every_attempt_is_logged_exactly_once(env):
    await env.publish_flags(flag("p-any"), flag("p-quiet"))
    env.replies["p-any"] = found((GIVEN, FAMILY))
    env.replies.pop("p-quiet", None)  # the pseudonymiser never answers: a timeout
    forged = {case: forge(env, case) for case in CASES}
    attempts: list[tuple[str, str, dict, dict, int]] = []  # (label, path, body, headers, status)
    for case, token in forged.items():
        attempts.append((case, "/v1/unlock", body("p-any"),
                         {"Authorization": f"Bearer {token}"}, 401))
    attempts += [
        ("no-token", "/v1/unlock", body("p-any"), {}, 401),
        ("basic", "/v1/unlock", body("p-any"), {"Authorization": "Basic eDp5"}, 401),
        ("role", "/v1/unlock", body("p-any"), env.clearance("m-role", roles=["coordinator"]),
         403),
        ("scope", "/v1/partner-lookup", body("p-any"), env.clearance("m-scope"), 403),
        ("short", "/v1/unlock", body("p-any") | {"justification": "short"},
         env.clearance("m-422a"), 422),
        ("extra", "/v1/unlock", body("p-any", extra=1), env.clearance("m-422b"), 422),
        ("bad-token-and-body", "/v1/unlock", {"pseudonym": 5}, {"Authorization": "Bearer x"},
         401),
        ("purpose", "/v1/unlock", body("p-any", purpose="sales"), env.clearance("m-p"), 403),
        ("no-flag", "/v1/unlock", body("p-nobody"), env.clearance("m-nf"), 403),
        ("timeout", "/v1/unlock", body("p-quiet"), env.clearance("m-timeout"), 503),
        ("allowed", "/v1/unlock", body("p-any"), env.clearance("m-ok"), 200),
    ]
    before = await log_count(env)
    # a bad token at a route that is not a door is refused and not logged
    r = await env.client.get("/v1/cohorts/oldham-5", headers={"Authorization": "Bearer x"})
    assert r.status_code == 401

    async def attempt(label, path, json_body, headers, status):
        r = await env.client.post(path, json=json_body, headers=headers)
        assert r.status_code == status, (label, r.text)
        if status != 200:
            assert_no_identity(r.text)
        return r

    replies = await asyncio.gather(*(attempt(*a) for a in attempts))
    # one entry an attempt, and a follow-up for the one authorised but never answered
    assert await log_count(env) == before + len(attempts) + 1

    entries = (await all_entries(env))[before:]
    ids = {r.json()["access_id"] for r in replies if "access_id" in r.json()}
    assert ids <= {e.seq for e in entries}
    assert len(ids) == len([r for r in replies if r.status_code != 422])
    by_sub: dict[str, list[AccessEntry]] = {}
    for e in entries:
        by_sub.setdefault(e.sub, []).append(e)
    unauth = by_sub.pop(UNAUTHENTICATED)
    assert len(unauth) == len(CASES) + 3
    assert {(e.outcome, e.reason, e.org) for e in unauth} == {
        ("refused", "unauthenticated", None)}
    # nothing of the token is written, and the unaccepted body only as pseudonym/purpose
    text = repr([(e.sub, e.org, e.pseudonym, e.purpose, e.justification) for e in entries])
    for token in forged.values():
        for part in token.split("."):
            if len(part) > 8:
                assert part not in text
    assert all(e.justification is None for e in unauth)
    summary = {sub: [(e.outcome, e.reason, e.action) for e in es] for sub, es in by_sub.items()}
    assert summary == {
        "m-role": [("refused", "not-permitted", None)],
        "m-scope": [("refused", "not-permitted", "partner-lookup")],
        "m-422a": [("refused", "invalid-request", None)],
        "m-422b": [("refused", "invalid-request", None)],
        "m-p": [("refused", "purpose", None)],
        "m-nf": [("refused", "no-active-flag", None)],
        "m-timeout": [("allowed", None, None), ("error", "pseudonymiser-unavailable", None)],
        "m-ok": [("allowed", None, None)],
    }
    r = await env.client.get("/v1/access-log/verify",
                             headers=env.clearance("aud", roles=["auditor"]))
    assert r.json()["valid"] is True


async def test_revoked_token_attempt_names_the_holder(env):
    await env.publish_flags(flag("p-rv"))
    token = env.nats_env.token("reidentify", subject="m-revoked", roles=["caseworker"],
                               districts=["OL1"], purposes=[PURPOSE], org="test-org")
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]
    r = await env.client.post("/v1/revocations", json={"jti": jti, "reason": "lost"},
                              headers=env.clearance("adm", roles=["admin"]))
    assert r.status_code == 201
    r = await env.client.post("/v1/unlock", json=body("p-rv"),
                              headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    entries = await env.log_for("m-revoked")
    assert [(e["outcome"], e["reason"], e["seq"]) for e in entries] == [
        ("refused", "revoked", r.json()["access_id"])]


async def test_cancelled_unlock_is_logged_once(env):
    await env.publish_flags(flag("p-cancel"))
    env.replies.pop("p-cancel", None)
    claims = Claims.from_payload({"sub": "m-cancel", "jti": "j-cancel", "org": "o",
                                  "roles": ["caseworker"],
                                  "districts": ["OL1"], "purposes": [PURPOSE]})
    reidentifier = state_of(env.app).reidentifier
    before = len(env.asked)
    task = asyncio.create_task(reidentifier.unlock(
        claims, UnlockRequest("p-cancel", PURPOSE, "a justification long enough here")))
    await eventually(lambda: len(env.asked) > before, timeout=5, interval=0.01)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    entries = await env.log_for("m-cancel")
    assert [(e["outcome"], e["reason"]) for e in entries] == [
        ("allowed", None), ("error", "cancelled")]
