"""POST /v1/decisions and GET /v1/decisions: practitioners' decisions, latest wins per scope."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

TODAY = date.today()


def decision(pseudonym: str, status: str, decided_on: date, scope: str = "all", **extra):
    return {"pseudonym": pseudonym, "status": status, "scope": scope,
            "evidence": "ehat-2026-0042", "notice_version": "pn-2026-01",
            "decided_on": decided_on.isoformat(), **extra}


async def post(env, body: dict, *roles: str):
    return await env.client.post("/v1/decisions", json=body,
                                 headers=env.headers(*(roles or ("caseworker",))))


async def listed(env, pseudonym: str, *roles: str) -> dict:
    r = await env.client.get("/v1/decisions", params={"pseudonym": pseudonym},
                             headers=env.headers(*(roles or ("coordinator",))))
    assert r.status_code == 200, r.text
    return r.json()


async def test_post_records_and_publishes(env):
    r = await post(env, decision("person-10", "consent", TODAY,
                                 scope="purpose:early-help-triage"))
    assert r.status_code == 201, r.text
    created = r.json()
    assert (created["pseudonym"], created["status"], created["scope"], created["effective"],
            created["source"]) == ("person-10", "consent", "purpose:early-help-triage", True,
                                   "practitioner")
    [published] = await env.settle("person-10", 1)
    assert (published.decision_id, published.status, published.effective) == (
        created["decision_id"], "consent", True)
    body = await listed(env, "person-10")
    assert body["effective"] == {"purpose:early-help-triage": created["decision_id"]}
    assert [d["decision_id"] for d in body["decisions"]] == [created["decision_id"]]


async def test_latest_wins_across_withdraw_and_reconsent(env):
    p = "person-11"
    first = (await post(env, decision(p, "consent", TODAY - timedelta(days=10)))).json()
    withdrawn = (await post(env, decision(p, "withdrawn", TODAY - timedelta(days=5)))).json()
    body = await listed(env, p)
    assert body["effective"] == {"all": withdrawn["decision_id"]}
    again = (await post(env, decision(p, "consent", TODAY - timedelta(days=1)))).json()
    # a back-dated opt-out recorded now does not beat the later re-consent
    late = (await post(env, decision(p, "opt_out", TODAY - timedelta(days=7)))).json()
    assert late["effective"] is False
    # another scope is independent (a partner scope: the partner's list, or a DPO)
    other = (await post(env, decision(p, "opt_out", TODAY - timedelta(days=20),
                                      scope="partner:police-gmp"), "dpo")).json()
    body = await listed(env, p, "caseworker")
    assert body["effective"] == {"all": again["decision_id"],
                                 "partner:police-gmp": other["decision_id"]}
    effective = {d["decision_id"]: d["effective"] for d in body["decisions"]}
    assert effective == {first["decision_id"]: False, withdrawn["decision_id"]: False,
                         again["decision_id"]: True, late["decision_id"]: False,
                         other["decision_id"]: True}
    published = await env.settle(p, 5)
    assert [(d.status, d.effective) for d in published] == [
        ("consent", True), ("withdrawn", True), ("consent", True), ("opt_out", False),
        ("opt_out", True)]


async def test_same_day_later_recorded_wins(env):
    p = "person-12"
    await post(env, decision(p, "opt_out", TODAY))
    second = (await post(env, decision(p, "consent", TODAY))).json()
    assert second["effective"] is True
    assert (await listed(env, p))["effective"] == {"all": second["decision_id"]}
    # both went out effective: the slices keep the one with the larger sequence, whichever
    # they apply last
    first, last = await env.settle(p, 2)
    assert first.effective and last.effective and last.decision_id == second["decision_id"]
    assert first.sequence < last.sequence


async def test_practitioner_decision_joins_partner_decisions(env):
    """A person first known from an opt-out list; household is carried from the resolution."""
    from tests.consent.conftest import request

    await env.publish_resolved("rt-13", "person-13", "household-13")
    await env.publish_requests("batch-13", request("rt-13", decided_on=TODAY - timedelta(days=3)))
    await env.settle("person-13", 1)
    r = await post(env, decision("person-13", "consent", TODAY))
    assert r.json()["household"] == "household-13"
    body = await listed(env, "person-13")
    assert [(d["source"], d["effective"]) for d in body["decisions"]] == [
        ("partner", False), ("practitioner", True)]


@pytest.mark.parametrize("body", [
    decision("p", "maybe", TODAY),
    decision("p", "consent", TODAY, scope="everything"),
    decision("p", "consent", TODAY, scope="purpose:"),
    decision("p", "consent", TODAY, name="Jane"),
    decision("p", "consent", TODAY + timedelta(days=30)),
    decision("p", "consent", TODAY + timedelta(days=1)),
    {"pseudonym": "p", "status": "consent"},
])
async def test_bad_bodies_rejected(env, body):
    r = await post(env, body)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "Jane" not in r.text


async def test_roles(env):
    r = await post(env, decision("person-14", "consent", TODAY), "auditor")
    assert r.status_code == 403
    r = await post(env, decision("person-14", "consent", TODAY), "coordinator")
    assert r.status_code == 201
    r = await env.client.get("/v1/decisions", params={"pseudonym": "person-14"},
                             headers=env.headers("analyst"))
    assert r.status_code == 403
    r = await env.client.get("/v1/decisions", params={"pseudonym": "person-14"})
    assert r.status_code == 401
    r = await env.client.post("/v1/decisions", json=decision("person-14", "consent", TODAY),
                              headers=env.headers("caseworker") | {
                                  "Authorization": "Bearer " + env.nats_env.token(
                                      "reidentify", roles=["caseworker"])})
    assert r.status_code == 401
    assert (await listed(env, "person-99")) == {"pseudonym": "person-99", "decisions": [],
                                                 "effective": {}}
    for role in ("auditor", "admin", "analyst"):  # auditors read the log, not people
        r = await env.client.get("/v1/decisions", params={"pseudonym": "person-14"},
                                 headers=env.headers(role))
        assert r.status_code == 403, role


async def test_a_decision_dated_tomorrow_cannot_outrank_todays_opt_out(env):
    p = "person-15"
    opt_out = (await post(env, decision(p, "opt_out", TODAY))).json()
    r = await post(env, decision(p, "consent", TODAY + timedelta(days=1)))
    assert r.status_code == 422 and "after today" in r.json()["detail"]
    assert (await listed(env, p))["effective"] == {"all": opt_out["decision_id"]}


async def test_a_caseworker_decides_only_for_people_in_their_districts(env):
    here, there, nobody = "person-16", "elsewhere-16", "ghost-16"
    assert (await post(env, decision(here, "opt_out", TODAY))).status_code == 201
    refusals = [await post(env, decision(p, "opt_out", TODAY)) for p in (there, nobody)]
    assert [r.status_code for r in refusals] == [403, 403]
    # "not in your districts" and "no such person" read the same
    assert refusals[0].json()["detail"] == refusals[1].json()["detail"]
    r = await env.client.get("/v1/decisions", params={"pseudonym": there},
                             headers=env.headers("caseworker"))
    assert r.status_code == 403
    # a coordinator or DPO decides for anyone held, and is told of a person not held
    assert (await post(env, decision(there, "opt_out", TODAY), "coordinator")).status_code == 201
    assert (await post(env, decision(nobody, "opt_out", TODAY), "dpo")).status_code == 404
    assert [d.person for d in await env.settle(there, 1)] == [there]


@pytest.mark.parametrize("role,scope,status", [
    ("caseworker", "all", 201),
    ("caseworker", "purpose:early-help-triage", 201),  # a purpose of the token's
    ("caseworker", "purpose:research", 403),
    ("caseworker", "partner:police-gmp", 403),
    ("coordinator", "purpose:research", 201),
    ("coordinator", "partner:police-gmp", 403),
    ("dpo", "partner:police-gmp", 201),
])
async def test_who_may_record_which_scope(env, role, scope, status):
    r = await post(env, decision("person-17", "opt_out", TODAY, scope=scope), role)
    assert r.status_code == status, r.text
