"""Subject access is a case: a DPO opens it, each release is granted only under it, to the
slice that sent the ask, for a person the case's searches found, within the DPO's rate,
and written to the access log first."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from services.common import messages as m
from services.common import subjects
from services.common.db import utcnow
from services.common.state import state_of
from tests.reidentify.conftest import flag

JUSTIFICATION = "Subject access request by letter, identity checked in person"


async def open_case(env, sub: str = "dpo-1", **over) -> dict:
    r = await env.client.post("/v1/subject-access/cases", headers=env.clearance(
        sub, roles=["dpo"]), json={"reference": "SAR-7", "requester": "data-subject",
                                   "justification": JUSTIFICATION, **over})
    assert r.status_code == 201, r.text
    return r.json()


async def ask(env, service: str, **fields) -> m.ReleaseGrant:
    """What a slice asks reidentify, over the bus as that slice."""
    peer = await env.nats_env.bus(service)
    try:
        return await peer.request(subjects.SUBJECT_ACCESS, m.ReleaseAsk(**fields), timeout=5)
    finally:
        await peer.nc.close()


async def find(env, case_id: str, *pseudonyms: str, sub: str = "dpo-1") -> m.ReleaseGrant:
    """The pseudonymiser's search under the case, and the persons it found."""
    search = await ask(env, "pseudonymiser", case_id=case_id, action="search", sub=sub)
    assert search.allowed, search
    return await ask(env, "pseudonymiser", case_id=case_id, action="found",
                     found=list(pseudonyms), ref=search.access_id, sub=sub)


async def release(env, pseudonym: str, case: str, sub: str = "dpo-1", roles=("dpo",)):
    return await env.client.get(f"/v1/subject-access/{pseudonym}", params={"case": case},
                                headers=env.clearance(sub, roles=list(roles)))


async def entries_of(env, case_id: str) -> list[dict]:
    return [e for e in await env.log_for_all() if e["case_id"] == case_id]


async def test_only_a_dpo_opens_a_case_and_releases_under_it(env):
    for role in ("auditor", "admin", "caseworker", "coordinator"):
        r = await env.client.post("/v1/subject-access/cases", headers=env.clearance(
            f"x-{role}", roles=[role]), json={"reference": "R", "requester": "other",
                                              "justification": JUSTIFICATION})
        assert r.status_code == 403, role
    r = await env.client.post("/v1/subject-access/cases", headers=env.clearance(
        "dpo-1", roles=["dpo"]), json={"reference": "R", "requester": "Jane Smith, by post",
                                       "justification": JUSTIFICATION})
    assert r.status_code == 422 and "Jane" not in r.text  # no name is kept here
    await env.publish_flags(flag("p-sar"))
    case = await open_case(env)
    assert case["open"] and case["case_id"].startswith("sar-")
    r = await release(env, "p-sar", case["case_id"])
    assert (r.status_code, r.json()["reason"]) == (403, "not-in-case")  # nobody found yet
    await find(env, case["case_id"], "p-sar")
    r = await release(env, "p-sar", case["case_id"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["service"], body["case"]) == ("reidentify", case["case_id"])
    assert [f["rule_id"] for f in body["flags"]] == ["oldham-5"]
    for roles in (["auditor"], ["admin"], ["auditor", "admin", "caseworker"]):
        r = await release(env, "p-sar", case["case_id"], roles=roles)
        assert r.status_code == 403, roles
    r = await env.client.get("/v1/subject-access/p-sar", headers=env.clearance(
        "dpo-1", roles=["dpo"]))
    assert r.status_code == 422  # no case named
    steps = [(e["action"], e["slice"], e["pseudonym"], e["outcome"], e["reason"])
             for e in await entries_of(env, case["case_id"])]
    assert steps == [("sar-open", None, None, "allowed", None),
                     ("sar-export", "reidentify", "p-sar", "refused", "not-in-case"),
                     ("sar-search", "pseudonymiser", None, "allowed", None),
                     ("sar-found", "pseudonymiser", "p-sar", "allowed", None),
                     ("sar-export", "reidentify", "p-sar", "allowed", None)]
    assert body["access_id"] == (await entries_of(env, case["case_id"]))[-1]["seq"]


async def test_no_release_without_an_open_case(env):
    await env.publish_flags(flag("p-sar2"))
    r = await release(env, "p-sar2", "sar-" + "0" * 16)
    assert (r.status_code, r.json()["reason"]) == (403, "no-case")
    assert "flags" not in r.json()
    case = await open_case(env)
    await find(env, case["case_id"], "p-sar2")
    r = await env.client.post(f"/v1/subject-access/cases/{case['case_id']}/close",
                              headers=env.clearance("dpo-1", roles=["dpo"]))
    assert r.status_code == 200 and r.json()["open"] is False
    r = await release(env, "p-sar2", case["case_id"])
    assert (r.status_code, r.json()["reason"]) == (403, "closed")
    stale = await open_case(env)
    await find(env, stale["case_id"], "p-sar2")
    state_of(env.app).clock = lambda: utcnow() + timedelta(days=91)
    try:
        r = await release(env, "p-sar2", stale["case_id"])
    finally:
        state_of(env.app).clock = utcnow
    assert (r.status_code, r.json()["reason"]) == (403, "expired")
    refused = [e for e in await env.log_for_all()
               if e["action"] == "sar-export" and e["pseudonym"] == "p-sar2"]
    assert sorted(e["reason"] for e in refused) == ["closed", "expired", "no-case"]
    # an auditor lists the cases, without reading anyone
    r = await env.client.get("/v1/subject-access/cases", headers=env.clearance(
        "aud-1", roles=["auditor"]))
    assert r.status_code == 200 and {c["case_id"] for c in r.json()} >= {
        case["case_id"], stale["case_id"]}


async def test_a_dpo_has_a_rate(env):
    state_of(env.app).grants.rate_per_hour = 3
    try:
        case = await open_case(env, sub="dpo-rate")
        await find(env, case["case_id"], "p-any", sub="dpo-rate")  # a search: one of three
        statuses = [(await release(env, "p-any", case["case_id"], sub="dpo-rate")).status_code
                    for _ in range(4)]
    finally:
        state_of(env.app).grants.rate_per_hour = 60
    assert statuses == [200, 200, 429, 429]


async def test_the_slice_is_the_sender_not_what_the_ask_says(env):
    """A slice asks over the bus; the entry names the service that sent the ask, and a
    search's results can be reported only by the slice that searched."""
    case = await open_case(env)
    await find(env, case["case_id"], "p-x")
    grant = await ask(env, "linker", case_id=case["case_id"], action="export",
                      pseudonym="p-x", sub="dpo-1")
    nobody = await ask(env, "linker", case_id="sar-ffffffffffffffff", action="search",
                       sub="dpo-1")
    search = await ask(env, "pseudonymiser", case_id=case["case_id"], action="search",
                       sub="dpo-1")
    planted = await ask(env, "linker", case_id=case["case_id"], action="found",
                        found=["p-planted"], ref=search.access_id, sub="dpo-1")
    assert grant.allowed and not nobody.allowed and nobody.reason == "no-case"
    assert (planted.allowed, planted.reason) == (False, "no-search")
    entry = next(e for e in await env.log_for_all() if e["seq"] == grant.access_id)
    assert (entry["slice"], entry["action"], entry["case_id"]) == (
        "linker", "sar-export", case["case_id"])


async def test_the_access_log_export_escapes_formulas(env):
    await env.publish_flags(flag("p-csv"))
    env.replies["p-csv"] = None
    await env.client.post("/v1/unlock", headers=env.clearance("cw-csv"), json={
        "pseudonym": "p-csv", "purpose": "early-help-triage",
        "justification": '=HYPERLINK("http://evil.example","open me") and more text'})
    r = await env.client.get("/v1/access-log/export.csv", headers=env.clearance(
        "aud-csv", roles=["auditor"]))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = [row for row in csv.DictReader(io.StringIO(r.text)) if row["sub"] == "cw-csv"]
    assert rows and all(row["justification"].startswith("'=HYPERLINK") for row in rows)
