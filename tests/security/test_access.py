"""Broken object-level and function-level authorisation: every route refuses a token that
does not carry what it needs, another service's token, another partner's batches and
another district's pseudonyms."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest

from services.common import messages as m
from services.common import subjects
from services.common.subjects import SERVICES
from tests.security.conftest import EVERYTHING, PURPOSE
from tests.support import eventually

PROBLEM = "application/problem+json"
OPEN = {"/healthz", "/readyz"}
RULE = "bola-rule"
JUSTIFICATION = "Early help assessment requested by the family's school"


def fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "probe", path)


def operations(doc: dict) -> list[tuple[str, str]]:
    return [(method.upper(), path) for path, item in doc["paths"].items() if path not in OPEN
            for method in item if method in ("get", "post", "put", "patch", "delete")]


@pytest.fixture(scope="module")
def documents(fed):
    return {s: fed.openapi(s) for s in SERVICES}


@pytest.mark.parametrize("service", SERVICES)
async def test_every_route_refuses_a_token_without_roles_or_partner(fed, documents, service):
    ops = operations(documents[service])
    assert ops
    headers = {**fed.auth(service, subject="nobody"), "Content-Type": "application/json"}
    for method, path in ops:
        r = await fed.client.request(method, fed.url(service, fill(path)), headers=headers,
                                     content=b"{}" if method != "GET" else None)
        assert r.status_code == 403, (service, method, path, r.status_code)
        assert r.headers["content-type"] == PROBLEM


@pytest.mark.parametrize("service", SERVICES)
async def test_every_route_refuses_another_services_token(fed, documents, service):
    other = SERVICES[(SERVICES.index(service) + 1) % len(SERVICES)]
    # Every claim the target would want, but minted for another audience.
    headers = {**fed.auth(other, **EVERYTHING[service]), "Content-Type": "application/json"}
    for method, path in operations(documents[service]):
        r = await fed.client.request(method, fed.url(service, fill(path)), headers=headers,
                                     content=b"{}" if method != "GET" else None)
        assert r.status_code == 401, (service, method, path, r.status_code)
        assert r.json()["detail"] == "token audience not accepted"


# (service, method, path, claims that are not enough)
WRONG_ROLE = [
    ("linker", "GET", "/v1/areas/demand", {"roles": ["caseworker", "auditor"]}),
    ("scorer", "PUT", "/v1/rules/oldham", {"roles": ["coordinator", "analyst"]}),
    ("scorer", "POST", "/v1/rescore", {"roles": ["coordinator", "analyst"]}),
    ("scorer", "GET", "/v1/rules", {"roles": ["caseworker", "auditor"]}),
    ("reidentify", "POST", "/v1/unlock", {"roles": ["coordinator", "auditor", "admin"],
                                          "districts": ["OL1"], "purposes": [PURPOSE]}),
    ("reidentify", "GET", "/v1/cohorts/oldham", {"roles": ["analyst", "auditor"],
                                                 "districts": ["OL1"]}),
    ("reidentify", "GET", "/v1/access-log", {"roles": ["caseworker", "coordinator"]}),
    ("reidentify", "GET", "/v1/unlocks/mine", {"roles": ["coordinator", "auditor", "dpo"],
                                               "districts": ["OL1"], "purposes": [PURPOSE]}),
    ("reidentify", "POST", "/v1/revocations", {"roles": ["caseworker", "auditor"]}),
    ("consent", "POST", "/v1/decisions", {"roles": ["auditor", "analyst"]}),
    ("consent", "GET", "/v1/decisions?pseudonym=p", {"roles": ["analyst",
                                                              "linkage-officer"]}),
    ("gateway", "POST", "/v1/datasets/gp-p81001/events", {"partner": "gp-p81001",
                                                          "roles": ["admin"]}),
    *[(s, "GET", "/v1/ops/dead-letters", {"roles": ["caseworker", "analyst", "auditor"],
                                          "partner": "gp-p81001", "scope": ["ingest"]})
      for s in SERVICES],
]


@pytest.mark.parametrize(("service", "method", "path", "claims"), WRONG_ROLE,
                         ids=[f"{w[0]}-{w[1]}-{w[2]}" for w in WRONG_ROLE])
async def test_routes_refuse_roles_that_do_not_grant_them(fed, service, method, path, claims):
    headers = {**fed.auth(service, **claims), "Content-Type": "application/json"}
    r = await fed.client.request(method, fed.url(service, path), headers=headers,
                                 content=b"{}" if method != "GET" else None)
    assert r.status_code == 403 and r.headers["content-type"] == PROBLEM, r.text


# --- gateway: another partner's batches and datasets -----------------------------------


async def test_batch_of_another_partner_is_indistinguishable_from_none(fed):
    gp = fed.auth("gateway", partner="gp-p81001", scope=["ingest"])
    r = await fed.client.post(
        fed.url("gateway", "/v1/datasets/gp-p81001/events"), headers=gp,
        json={"events": [{"local_id": "BOLA-1", "code": "GP1", "occurred_on": "2026-01-01"}]})
    assert r.status_code == 202, r.text
    batch = r.json()["batch_id"]
    assert (await fed.client.get(fed.url("gateway", f"/v1/batches/{batch}"),
                                 headers=gp)).status_code == 200
    missing = await fed.client.get(fed.url("gateway", "/v1/batches/b_doesnotexist"),
                                   headers=gp)
    for claims in ({"partner": "schools-la", "scope": ["ingest"]},
                   {"partner": "police-gmp", "scope": ["ingest"], "roles": ["admin"]},
                   {"scope": ["ingest"]}):
        headers = fed.auth("gateway", **claims)
        for path in (f"/v1/batches/{batch}", f"/v1/batches/{batch}/receipt"):
            r = await fed.client.get(fed.url("gateway", path), headers=headers)
            assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
            assert r.json()["detail"] == missing.json()["detail"]
        listed = await fed.client.get(fed.url("gateway", "/v1/batches"), headers=headers)
        assert listed.status_code == (200 if "partner" in claims else 403)
        assert batch not in listed.text


@pytest.mark.parametrize("kind", ["identities", "events", "optouts"])
async def test_upload_to_another_partners_dataset_is_403(fed, kind):
    key = "events" if kind == "events" else "records"
    r = await fed.client.post(fed.url("gateway", f"/v1/datasets/gp-p81001/{kind}"),
                              headers=fed.auth("gateway", partner="schools-la",
                                               scope=["ingest"]),
                              json={key: [{"local_id": "X"}]})
    assert r.status_code == 403 and "another partner" in r.json()["detail"]


async def test_smuggled_fields_in_rows_reject_the_row(fed):
    rows = [{"local_id": "SMUGGLE-1", "given_name": "Ada", "family_name": "King",
             "date_of_birth": "1980-01-01", **extra}
            for extra in ({"partner": "schools-la"}, {"roles": ["admin"]},
                          {"pseudonym": "p_x"}, {"record_token": "r_x"}, {})]
    r = await fed.client.post(fed.url("gateway", "/v1/datasets/gp-p81001/identities"),
                              headers=fed.auth("gateway", partner="gp-p81001",
                                               scope=["ingest"]), json={"records": rows})
    assert r.status_code == 202
    assert r.json()["accepted"] == 1
    assert {e["row"]: e["errors"][0]["field"] for e in r.json()["rejected"]} == {
        0: "partner", 1: "roles", 2: "pseudonym", 3: "record_token"}


# --- reidentify: pseudonyms outside the caller's districts -----------------------------


@pytest.fixture(scope="module")
async def flags(fed):
    """Two active flags of one rule, one in OL1 and one in OL9, published as the scorer."""
    suffix = uuid.uuid4().hex[:8]
    areas = {"OL1": f"p_ol1_{suffix}", "OL9": f"p_ol9_{suffix}"}
    batch = m.FlagBatch(flags=[m.Flag(
        pseudonym=p, level="person", rule_id=RULE, rule_version=1, purposes=[PURPOSE],
        active=True, score=5.0, indicators=5, health=2, non_health=3, area=area,
        raised_at=datetime.now(UTC)) for area, p in areas.items()])
    scorer = await fed.bus("scorer")
    try:
        await scorer.publish(subjects.FLAGS, batch, msg_id=f"bola-{suffix}")
    finally:
        await scorer.nc.close()
    everyone = fed.auth("reidentify", **EVERYTHING["reidentify"])

    async def both_listed():
        r = await fed.client.get(fed.url("reidentify", f"/v1/cohorts/{RULE}"),
                                 headers=everyone)
        return {c["pseudonym"] for c in r.json()} >= set(areas.values())

    await eventually(both_listed, timeout=20)
    return areas


def caseworker(fed, districts, purposes=(PURPOSE,)) -> dict:
    return fed.auth("reidentify", roles=["caseworker"], districts=list(districts),
                    purposes=list(purposes), org="oldham-early-help")


async def test_cohort_lists_only_the_callers_districts(fed, flags):
    for districts, expected in ((["OL1"], {flags["OL1"]}), (["OL9"], {flags["OL9"]}),
                                ([], set()), (["OL1", "OL9"], set(flags.values()))):
        r = await fed.client.get(fed.url("reidentify", f"/v1/cohorts/{RULE}"),
                                 headers=caseworker(fed, districts))
        assert r.status_code == 200, r.text
        assert {c["pseudonym"] for c in r.json()} == expected, districts


async def test_unlock_outside_the_callers_districts_is_403(fed, flags):
    """Refused as if there were no flag at all: a refusal never says who is flagged."""
    unknown = await fed.client.post(fed.url("reidentify", "/v1/unlock"),
                                    headers=caseworker(fed, ["OL1"]),
                                    json={"pseudonym": "p_nobody_at_all", "purpose": PURPOSE,
                                          "justification": JUSTIFICATION})
    for districts in (["OL1"], [], ["OL2", "OL4"]):
        r = await fed.client.post(fed.url("reidentify", "/v1/unlock"),
                                  headers=caseworker(fed, districts),
                                  json={"pseudonym": flags["OL9"], "purpose": PURPOSE,
                                        "justification": JUSTIFICATION})
        assert r.status_code == 403 and r.headers["content-type"] == PROBLEM, r.text
        assert "subjects" not in r.json()
        same = {k: v for k, v in r.json().items() if k != "access_id"}
        assert same == {k: v for k, v in unknown.json().items() if k != "access_id"}


async def test_unlock_for_a_purpose_outside_the_clearance_is_403(fed, flags):
    r = await fed.client.post(fed.url("reidentify", "/v1/unlock"),
                              headers=caseworker(fed, ["OL1"], purposes=["research"]),
                              json={"pseudonym": flags["OL1"], "purpose": PURPOSE,
                                    "justification": JUSTIFICATION})
    assert r.status_code == 403 and "subjects" not in r.json(), r.text
    r = await fed.client.post(fed.url("reidentify", "/v1/unlock"),
                              headers=caseworker(fed, ["OL1"]),
                              json={"pseudonym": flags["OL1"], "purpose": "marketing",
                                    "justification": JUSTIFICATION})
    assert r.status_code == 403 and "subjects" not in r.json(), r.text


async def test_refused_unlocks_are_in_the_access_log(fed, flags):
    r = await fed.client.get(fed.url("reidentify", "/v1/access-log"),
                             params={"limit": 500},
                             headers=fed.auth("reidentify", roles=["auditor"]))
    assert r.status_code == 200
    refused = [e for e in r.json() if e["pseudonym"] == flags["OL9"]]
    assert len(refused) >= 3
    assert {(e["outcome"], e["reason"]) for e in refused} == {("refused", "district")}
