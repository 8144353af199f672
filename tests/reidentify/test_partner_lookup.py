"""POST /v1/partner-lookup: a partner's own local IDs for a flagged subject, audited."""

from __future__ import annotations

from services.common import messages
from tests.reidentify.conftest import PURPOSE, Canned, flag
from tests.reidentify.test_unlock import FAMILY, GIVEN, assert_no_identity, body

GP, COUNCIL = "gp-p81001", "csc-la"
RECORDS = {GP: [("gp-p81001", "EMIS-1001"), ("gp-p81001", "EMIS-1002")],
           COUNCIL: [("csc-contacts", "CSC-77")]}


def by_partner(request: messages.ReidentifyRequest) -> Canned:
    """A stand-in pseudonymiser: each partner's records; an identity only without partner."""
    if request.partner is None:
        return Canned(found=True, subjects=[
            messages.Identity(given_name=GIVEN, family_name=FAMILY)])
    return Canned(found=True, local_ids=[
        messages.LocalRecord(dataset=d, local_id=i) for d, i in RECORDS.get(request.partner, [])])


def partner_token(env, partner: str | None, sub: str, scope=("case-lookup",),
                  purposes=(PURPOSE,), **extra) -> dict:
    claims = {"scope": list(scope), "purposes": list(purposes), "org": partner or "x", **extra}
    if partner:
        claims["partner"] = partner
    token = env.nats_env.token("reidentify", subject=sub, **claims)
    return {"Authorization": f"Bearer {token}"}


async def test_each_partner_gets_only_its_own_local_ids(env):
    await env.publish_flags(flag("p-case", area="OL2"))
    env.replies["p-case"] = by_partner
    asked = len(env.asked)
    r = await env.client.post("/v1/partner-lookup", json=body("p-case"),
                              headers=partner_token(env, GP, "gp-user"))
    assert r.status_code == 200, r.text
    gp = r.json()
    assert gp["local_ids"] == [{"dataset": d, "local_id": i} for d, i in RECORDS[GP]]
    assert "CSC-77" not in r.text
    assert_no_identity(r.text)
    assert GIVEN not in r.text and "subjects" not in gp
    r = await env.client.post("/v1/partner-lookup", json=body("p-case"),
                              headers=partner_token(env, COUNCIL, "csc-user"))
    assert r.status_code == 200, r.text
    assert r.json()["local_ids"] == [{"dataset": "csc-contacts", "local_id": "CSC-77"}]
    assert "EMIS" not in r.text
    assert [(a.pseudonym, a.partner) for a in env.asked[asked:]] == [
        ("p-case", GP), ("p-case", COUNCIL)]
    entries = await env.log_for("gp-user")
    assert [(e["action"], e["outcome"], e["reason"], e["pseudonym"], e["rule_id"],
             e["seq"]) for e in entries] == [
        ("partner-lookup", "allowed", None, "p-case", "oldham-5", gp["access_id"])]
    assert "EMIS" not in str(entries)


async def test_refusals(env):
    await env.publish_flags(flag("p-case2", area="OL9"), flag("p-off", active=False))
    env.replies["p-case2"] = env.replies["p-off"] = by_partner
    cases = [  # (sub, pseudonym, headers, status, reason)
        ("pl-noflag", "p-off", partner_token(env, GP, "pl-noflag"), 403, "no-active-flag"),
        ("pl-unknown", "p-nobody", partner_token(env, GP, "pl-unknown"), 403, "no-active-flag"),
        ("pl-purpose", "p-case2", partner_token(env, GP, "pl-purpose", purposes=["other"]),
         403, "purpose"),
        ("pl-district", "p-case2", partner_token(env, GP, "pl-district", districts=["OL1"]),
         403, "district"),
        ("pl-scope", "p-case2", partner_token(env, GP, "pl-scope", scope=["ingest"]),
         403, "not-permitted"),
        ("pl-nopartner", "p-case2", partner_token(env, None, "pl-nopartner"), 403,
         "not-permitted"),
    ]
    for sub, pseudonym, headers, status, reason in cases:
        r = await env.client.post("/v1/partner-lookup", json=body(pseudonym), headers=headers)
        assert r.status_code == status, (sub, r.text)
        assert "local_ids" not in r.json() and "EMIS" not in r.text
        entries = await env.log_for(sub)
        assert [(e["action"], e["outcome"], e["reason"]) for e in entries] == [
            ("partner-lookup", "refused", reason)], sub
        assert entries[0]["seq"] == r.json()["access_id"]
    # no district claim: a partner is not bound to districts (the OL9 flag is found)
    r = await env.client.post("/v1/partner-lookup", json=body("p-case2"),
                              headers=partner_token(env, GP, "pl-any-district"))
    assert r.status_code == 200, r.text


async def test_partner_opt_out_refuses_only_that_partner(env):
    await env.publish_flags(flag("p-optout"))
    env.replies["p-optout"] = by_partner
    await env.publish_decision("p-optout", "opt_out", scope=f"partner:{GP}")
    r = await env.client.post("/v1/partner-lookup", json=body("p-optout"),
                              headers=partner_token(env, GP, "pl-c1"))
    assert (r.status_code, r.json()["reason"]) == (403, "consent")
    r = await env.client.post("/v1/partner-lookup", json=body("p-optout"),
                              headers=partner_token(env, COUNCIL, "pl-c2"))
    assert r.status_code == 200
    # a caseworker clearance is not a partner token, and a partner token does not unlock
    r = await env.client.post("/v1/partner-lookup", json=body("p-optout"),
                              headers=env.clearance("pl-cw"))
    assert r.status_code == 403
    r = await env.client.post("/v1/unlock", json=body("p-optout"),
                              headers=partner_token(env, GP, "pl-c3"))
    assert r.status_code == 403 and GIVEN not in r.text
