"""POST /v1/unlock: allowed, refused for each reason, rate-limited, timed out; logged once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from services.common import messages
from services.common.state import state_of
from tests.reidentify.conftest import PURPOSE, RATE, Canned, flag
from tests.support import eventually, sequence

JUSTIFICATION = "Early help triage following a multi-agency referral"
GIVEN, FAMILY = "Zebedee", "Quarrington"


def found(*names: tuple[str, str]) -> Canned:
    return Canned(found=True, subjects=[
        messages.Identity(given_name=g, family_name=f, date_of_birth=date(2015, 3, 4),
                          sex="F", address="1 Example Street", postcode="OL1 1AA")
        for g, f in names])


def body(pseudonym: str, purpose: str = PURPOSE, **extra) -> dict:
    return {"pseudonym": pseudonym, "purpose": purpose, "justification": JUSTIFICATION,
            **extra}


def assert_no_identity(text: str) -> None:
    for value in (GIVEN, FAMILY, "Example Street", "OL1 1AA", "2015-03-04"):
        assert value not in text


async def test_unlock_allowed_returns_identity_and_logs_once(env):
    await env.publish_flags(flag("p-ok", area="OL1"))
    env.replies["p-ok"] = found((GIVEN, FAMILY))
    asked_before = len(env.asked)
    r = await env.client.post("/v1/unlock", json=body("p-ok"),
                              headers=env.clearance("cw-ok"))
    assert r.status_code == 200, r.text
    reply = r.json()
    assert reply["subjects"] == [{"given_name": GIVEN, "family_name": FAMILY,
                                  "date_of_birth": "2015-03-04",
                                  "address": "1 Example Street", "postcode": "OL1 1AA"}]
    assert [a.pseudonym for a in env.asked[asked_before:]] == ["p-ok"]
    entries = await env.log_for("cw-ok")
    assert len(entries) == 1
    entry = entries[0]
    assert entry["seq"] == reply["access_id"]
    assert (entry["outcome"], entry["reason"], entry["pseudonym"], entry["rule_id"],
            entry["purpose"], entry["org"]) == ("allowed", None, "p-ok", "oldham-5",
                                                PURPOSE, "test-org")
    assert_no_identity(str(entries))
    # the identity is written nowhere: not in any of the service's database files
    for path in env.db_dir.iterdir():
        data = path.read_bytes()
        assert GIVEN.encode() not in data and FAMILY.encode() not in data


async def refuse_setup(env, case: str) -> tuple[str, dict, dict]:
    """Returns (sub, request body, extra token claims) for one refusal case."""
    p = f"p-{case}"
    if case == "purpose":
        await env.publish_flags(flag(p))
        env.replies[p] = found((GIVEN, FAMILY))
        return case, body(p, purpose="marketing"), {}
    if case == "purpose-of-flag":  # the token allows it, but no flag is for that purpose
        await env.publish_flags(flag(p, purposes=["other-purpose"]))
        env.replies[p] = found((GIVEN, FAMILY))
        return case, body(p), {}
    if case == "no-flag":
        env.replies[p] = found((GIVEN, FAMILY))
        return case, body(p), {}
    if case == "inactive":
        await env.publish_flags(flag(p, active=False))
        env.replies[p] = found((GIVEN, FAMILY))
        return case, body(p), {}
    if case == "district":
        await env.publish_flags(flag(p, area="OL9"))
        env.replies[p] = found((GIVEN, FAMILY))
        return case, body(p), {}
    if case in ("consent-all", "consent-purpose"):
        await env.publish_flags(flag(p))
        scope = "all" if case == "consent-all" else f"purpose:{PURPOSE}"
        await env.publish_decision(p, "opt_out", scope)
        env.replies[p] = found((GIVEN, FAMILY))
        return case, body(p), {}
    if case == "withheld":
        await env.publish_flags(flag(p))
        env.replies[p] = Canned(found=True, withheld=True)
        return case, body(p), {}
    if case == "not-found":
        await env.publish_flags(flag(p))
        env.replies[p] = Canned(found=False)
        return case, body(p), {}
    raise AssertionError(case)


@pytest.mark.parametrize("case,reason,logged,asks", [
    ("purpose", "purpose", "purpose", False),
    ("purpose-of-flag", "no-active-flag", "no-active-flag", False),
    ("no-flag", "no-active-flag", "no-active-flag", False),
    ("inactive", "no-active-flag", "no-active-flag", False),
    # told as if there were no flag (no oracle of who is flagged); the log knows why
    ("district", "no-active-flag", "district", False),
    ("consent-all", "consent", "consent", False),
    ("consent-purpose", "consent", "consent", False),
    ("withheld", "consent", "consent", True),
    ("not-found", "no-active-flag", "no-active-flag", True),
])
async def test_refusals_are_logged_once_without_identity(env, case, reason, logged, asks):
    sub, request, claims = await refuse_setup(env, case)
    asked_before = len(env.asked)
    r = await env.client.post("/v1/unlock", json=request, headers=env.clearance(sub))
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["reason"] == reason
    assert "subjects" not in problem
    assert_no_identity(r.text)
    assert (len(env.asked) > asked_before) == asks
    entries = await env.log_for(sub)
    if asks:  # authorised and asked for, then nothing released: a follow-up names it
        assert [(e["outcome"], e["reason"]) for e in entries] == [
            ("allowed", None), ("refused", logged)]
        assert entries[1]["ref"] == entries[0]["seq"] == env.asked[-1].access_id
    else:
        assert [(e["outcome"], e["reason"]) for e in entries] == [("refused", logged)]
    assert entries[-1]["seq"] == problem["access_id"]


async def test_consent_lifted_by_later_consent(env):
    await env.publish_flags(flag("p-lift"))
    env.replies["p-lift"] = found((GIVEN, FAMILY))
    await env.publish_decision("p-lift", "opt_out", decided_on=date.today() - timedelta(days=2))
    r = await env.client.post("/v1/unlock", json=body("p-lift"), headers=env.clearance("cw-l"))
    assert r.json()["reason"] == "consent"
    await env.publish_decision("p-lift", "consent", decided_on=date.today())
    r = await env.client.post("/v1/unlock", json=body("p-lift"), headers=env.clearance("cw-l"))
    assert r.status_code == 200, r.text
    assert [e["outcome"] for e in await env.log_for("cw-l")] == ["refused", "allowed"]


async def test_an_older_decision_applied_after_a_newer_one_changes_nothing(env):
    """Of two decisions for one person and scope, consent's later one holds in whichever
    order they are applied (two processes may apply them at once)."""
    await env.publish_flags(flag("p-order"))
    env.replies["p-order"] = found((GIVEN, FAMILY))
    opted_out, consented = sequence(), sequence()
    await env.publish_decision("p-order", "consent", order=consented)
    await env.publish_decision("p-order", "opt_out", order=opted_out)
    r = await env.client.post("/v1/unlock", json=body("p-order"), headers=env.clearance("cw-o"))
    assert r.status_code == 200, r.text
    await env.publish_decision("p-order", "opt_out")  # a later one holds
    r = await env.client.post("/v1/unlock", json=body("p-order"), headers=env.clearance("cw-o"))
    assert r.json()["reason"] == "consent"


async def test_rate_limit_per_subject(env):
    await env.publish_flags(flag("p-rate"))
    env.replies["p-rate"] = found((GIVEN, FAMILY))
    for _ in range(RATE):
        r = await env.client.post("/v1/unlock", json=body("p-rate"),
                                  headers=env.clearance("cw-rate"))
        assert r.status_code == 200
    r = await env.client.post("/v1/unlock", json=body("p-rate"),
                              headers=env.clearance("cw-rate"))
    assert r.status_code == 429
    assert r.json()["reason"] == "rate"
    assert "subjects" not in r.json()
    entries = await env.log_for("cw-rate")
    assert [e["outcome"] for e in entries] == ["allowed"] * RATE + ["refused"]
    assert entries[-1]["reason"] == "rate"
    # another subject is not affected
    r = await env.client.post("/v1/unlock", json=body("p-rate"),
                              headers=env.clearance("cw-rate-2"))
    assert r.status_code == 200


@pytest.mark.parametrize("fast", [True, False])
async def test_a_burst_from_a_new_caller_gets_its_rate_then_429(env, fast):
    """Concurrent attempts count as they arrive: the first RATE go ahead, not none."""
    await env.publish_flags(flag("p-burst"))
    env.replies["p-burst"] = found((GIVEN, FAMILY))
    sub = f"cw-burst-{fast}"
    state_of(env.app).fast_unlock = fast
    try:
        replies = await asyncio.gather(*(
            env.client.post("/v1/unlock", json=body("p-burst"), headers=env.clearance(sub))
            for _ in range(4 * RATE)))
    finally:
        state_of(env.app).fast_unlock = True
    statuses = sorted(r.status_code for r in replies)
    assert statuses == [200] * RATE + [429] * (3 * RATE)
    entries = await env.log_for(sub)
    assert sorted(e["reason"] or "-" for e in entries) == ["-"] * RATE + ["rate"] * (3 * RATE)


async def test_pseudonymiser_timeout_is_503_and_logged_once(env):
    await env.publish_flags(flag("p-silent"))
    env.replies.pop("p-silent", None)  # the responder never answers
    r = await env.client.post("/v1/unlock", json=body("p-silent"),
                              headers=env.clearance("cw-timeout"))
    assert r.status_code == 503
    assert r.headers["content-type"].startswith("application/problem+json")
    entries = await env.log_for("cw-timeout")
    assert [(e["outcome"], e["pseudonym"]) for e in entries] == [
        ("allowed", "p-silent"), ("error", "p-silent")]
    assert entries[1]["ref"] == entries[0]["seq"]


@pytest.mark.parametrize("request_body", [
    body("p-ok") | {"justification": "too short"},
    body("p-ok", extra="field"),
    {"pseudonym": "p-ok", "purpose": PURPOSE},
])
async def test_bad_bodies_rejected(env, request_body):
    r = await env.client.post("/v1/unlock", json=request_body, headers=env.clearance("cw-bad"))
    assert r.status_code == 422
    assert "too short" not in r.text


async def test_unlock_roles(env):
    for roles in (["coordinator"], ["auditor"]):
        r = await env.client.post("/v1/unlock", json=body("p-ok"),
                                  headers=env.clearance("cw-role", roles=roles))
        assert r.status_code == 403
        assert "access_id" in r.json()
    entries = await env.log_for("cw-role")
    assert [(e["outcome"], e["reason"], e["pseudonym"], e["justification"])
            for e in entries] == [("refused", "not-permitted", "p-ok", None)] * 2


async def test_access_log_verifies(env):
    headers = env.clearance("auditor-2", roles=["auditor"])
    asked = datetime.now(UTC)
    r = await env.client.get("/v1/access-log/verify", headers=headers)
    assert r.status_code == 200
    result = r.json()
    assert result["valid"] is True and result["first_bad_seq"] is None
    # when the check ran: the log as it stood then
    assert asked <= datetime.fromisoformat(result["verified_at"]) <= datetime.now(UTC)
    assert result["entries"] > 10
    r = await env.client.get("/v1/access-log/verify", headers=env.clearance("cw-x"))
    assert r.status_code == 403


async def test_household_unlock_returns_the_members(env):
    await env.publish_flags(flag("h-family", level="household"))
    env.replies["h-family"] = found((GIVEN, FAMILY), ("Ada", FAMILY), ("Bo", FAMILY))
    asked_before = len(env.asked)
    r = await env.client.post("/v1/unlock", json=body("h-family"),
                              headers=env.clearance("cw-household"))
    assert r.status_code == 200, r.text
    assert [s["given_name"] for s in r.json()["subjects"]] == [GIVEN, "Ada", "Bo"]
    asked = env.asked[asked_before:]
    assert [(a.pseudonym, a.level) for a in asked] == [("h-family", "household")]
    entries = await env.log_for("cw-household")
    assert [(e["outcome"], e["pseudonym"]) for e in entries] == [("allowed", "h-family")]
    assert_no_identity(str(entries))


async def test_refusals_do_not_reveal_existence(env):
    """No flag and unknown person answer alike: same status, reason and detail."""
    await env.publish_flags(flag("p-exists", active=False))
    env.replies["p-exists"] = found((GIVEN, FAMILY))
    replies = []
    for pseudonym in ("p-exists", "p-never-heard-of"):
        r = await env.client.post("/v1/unlock", json=body(pseudonym),
                                  headers=env.clearance("cw-exist"))
        problem = r.json()
        replies.append((r.status_code, problem["reason"], problem["detail"], problem["title"]))
    assert replies[0] == replies[1] == (403, "no-active-flag", "unlock refused: no-active-flag",
                                        "Forbidden")


async def test_signed_head_checked_by_the_verify_endpoint(env):
    r = await env.client.post("/v1/unlock", json=body("p-ok"), headers=env.clearance("cw-h"))
    line = await state_of(env.app).head_signer.sign()
    assert line is not None and line["seq"] == r.json()["access_id"]
    await eventually(lambda: any(h.seq == line["seq"] for h in env.heads))  # the gateway's
    r = await env.client.get("/v1/access-log/verify",
                             headers=env.clearance("auditor-3", roles=["auditor"]))
    result = r.json()
    assert result["valid"] is True, result
    assert result["signed_heads"] >= 1 and result["last_signed_seq"] == line["seq"]


async def test_a_release_the_log_does_not_account_for_fails_verification(env):
    """The pseudonymiser's ledger names an access id with no allowed unlock of that
    pseudonym: an identity left with no access-log entry."""
    auditor = env.clearance("auditor-rel", roles=["auditor"])
    await env.publish_flags(flag("p-rel"))
    env.replies["p-rel"] = found((GIVEN, FAMILY))
    r = await env.client.post("/v1/unlock", json=body("p-rel"), headers=env.clearance("cw-rel"))
    seq = r.json()["access_id"]
    assert [x.access_id for x in env.released][-1] == seq
    assert (await env.client.get("/v1/access-log/verify", headers=auditor)).json()["valid"]
    now = datetime.now(UTC)
    forged = [
        messages.Release(access_id=seq, pseudonym="p-someone-else", level="person",
                         issued_at=now, released_at=now),  # the entry is another person's
        messages.Release(access_id=10**9, pseudonym="p-rel", level="person",
                         issued_at=now, released_at=now),  # no entry at all
        messages.Release(access_id=seq, pseudonym="p-rel", level="person",  # an old id
                         issued_at=now + timedelta(hours=1),  # sent again an hour later
                         released_at=now + timedelta(hours=1)),
    ]
    for release in forged:
        env.released.append(release)
        try:
            result = (await env.client.get("/v1/access-log/verify", headers=auditor)).json()
        finally:
            env.released.remove(release)
        assert (result["valid"], result["problem"], result["unlogged_releases"]) == (
            False, "release-unlogged", 1), result
