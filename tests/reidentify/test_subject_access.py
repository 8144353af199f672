"""Subject access is a case: a DPO opens it, each release is granted only under it, to the
slice that signed the ask, within the DPO's rate, and written to the access log first."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from services.common import messages as m
from services.common import subjects
from services.common.db import utcnow
from tests.reidentify.conftest import flag

JUSTIFICATION = "Subject access request by letter, identity checked in person"


async def open_case(env, sub: str = "dpo-1", **over) -> dict:
    r = await env.client.post("/v1/subject-access/cases", headers=env.clearance(
        sub, roles=["dpo"]), json={"reference": "SAR-7", "requester": "the data subject",
                                   "justification": JUSTIFICATION, **over})
    assert r.status_code == 201, r.text
    return r.json()


async def release(env, pseudonym: str, case: str, sub: str = "dpo-1", roles=("dpo",)):
    return await env.client.get(f"/v1/subject-access/{pseudonym}", params={"case": case},
                                headers=env.clearance(sub, roles=list(roles)))


async def entries_of(env, case_id: str) -> list[dict]:
    return [e for e in await env.log_for_all() if e["case_id"] == case_id]


async def test_only_a_dpo_opens_a_case_and_releases_under_it(env):
    for role in ("auditor", "admin", "caseworker", "coordinator"):
        r = await env.client.post("/v1/subject-access/cases", headers=env.clearance(
            f"x-{role}", roles=[role]), json={"reference": "R", "requester": "x",
                                              "justification": JUSTIFICATION})
        assert r.status_code == 403, role
    await env.publish_flags(flag("p-sar"))
    case = await open_case(env)
    assert case["open"] and case["case_id"].startswith("sar-")
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
    steps = [(e["action"], e["slice"], e["pseudonym"], e["outcome"])
             for e in await entries_of(env, case["case_id"])]
    assert steps == [("sar-open", None, None, "allowed"),
                     ("sar-export", "reidentify", "p-sar", "allowed")]
    assert body["access_id"] == (await entries_of(env, case["case_id"]))[-1]["seq"]


async def test_no_release_without_an_open_case(env):
    await env.publish_flags(flag("p-sar2"))
    r = await release(env, "p-sar2", "sar-" + "0" * 16)
    assert (r.status_code, r.json()["reason"]) == (403, "no-case")
    assert "flags" not in r.json()
    case = await open_case(env)
    r = await env.client.post(f"/v1/subject-access/cases/{case['case_id']}/close",
                              headers=env.clearance("dpo-1", roles=["dpo"]))
    assert r.status_code == 200 and r.json()["open"] is False
    r = await release(env, "p-sar2", case["case_id"])
    assert (r.status_code, r.json()["reason"]) == (403, "closed")
    stale = await open_case(env)
    env.app.state.clock = lambda: utcnow() + timedelta(days=91)
    try:
        r = await release(env, "p-sar2", stale["case_id"])
    finally:
        env.app.state.clock = utcnow
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
    env.app.state.grants.rate_per_hour = 3
    try:
        case = await open_case(env, sub="dpo-rate")
        statuses = [(await release(env, "p-any", case["case_id"], sub="dpo-rate")).status_code
                    for _ in range(5)]
    finally:
        env.app.state.grants.rate_per_hour = 60
    assert statuses == [200, 200, 200, 429, 429]


async def test_the_slice_is_the_signer_not_what_the_ask_says(env):
    """A slice asks over the bus; the entry names the service whose key signed the ask."""
    case = await open_case(env)
    linker = await env.nats_env.bus("linker")
    try:
        grant = await linker.request(subjects.SUBJECT_ACCESS, m.ReleaseAsk(
            case_id=case["case_id"], action="export", pseudonym="p-x", sub="dpo-1"), timeout=5)
        nobody = await linker.request(subjects.SUBJECT_ACCESS, m.ReleaseAsk(
            case_id="sar-ffffffffffffffff", action="search", sub="dpo-1"), timeout=5)
    finally:
        await linker.nc.close()
    assert grant.allowed and not nobody.allowed and nobody.reason == "no-case"
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
