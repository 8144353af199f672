"""The live registry: partners, datasets and codes changed through /v1/registry take
effect at the next upload, reach the scorer as catalogues, and are versioned."""

from __future__ import annotations

import shutil

import pytest

from gateway.registry import read_registry
from services.common import subjects
from tests.gateway.conftest import REGISTRY, running_gateway

AGREEMENT = "isa-oldham-early-help-2026"  # multi-party: any partner's dataset may join it
NURSES = {"partner": "nurses-la", "kind": "school-nursing", "level": "person",
          "agreement": AGREEMENT, "codes": {
              "SN1": {"category": "health", "headline": "health",
                      "meaning": "Missed school nurse review"},
              "SCH1": {"category": "health", "headline": "health",
                       "meaning": "Seen by the school nurse for anxiety"}}}


def admin(env, subject: str = "admin-1", roles=("admin",)) -> dict:
    token = env.nats_env.token("gateway", subject=subject, roles=list(roles), org="council")
    return {"Authorization": f"Bearer {token}"}


def events(*rows: tuple[str, str]) -> dict:
    return {"events": [{"local_id": local, "code": code, "occurred_on": "2026-11-01"}
                       for local, code in rows]}


async def catalogue_of(env, dataset: str):
    got = await env.read(subjects.CODES, "scorer", want=1)
    mine = [c for _, _, c in got if c.dataset == dataset]
    return mine[-1] if mine else None


async def test_a_new_partner_sends_data_without_a_restart(nats_env, tmp_path):
    async with running_gateway(nats_env, tmp_path) as env:
        await env.read(subjects.CODES, "scorer", want=5)  # the seeded catalogues
        r = await env.client.put("/v1/registry/partners/nurses-la",
                                 json={"name": "School nursing"}, headers=admin(env))
        assert r.status_code == 201, r.text
        r = await env.client.put("/v1/registry/datasets/school-nurse", json=NURSES,
                                 headers=admin(env))
        assert r.status_code == 201, r.text
        assert [c["code"] for c in r.json()["codes"]] == ["SCH1", "SN1"]

        # the scorer is told each code's category, never its meaning
        published = await catalogue_of(env, "school-nurse")
        assert [(c.code, c.category) for c in published.codes] == [
            ("SCH1", "health"), ("SN1", "health")]
        assert "anxiety" not in published.model_dump_json()

        # the new partner uploads at once; the school census's SCH1 is not its SCH1
        r = await env.post("nurses-la", "school-nurse", "events",
                           events(("N-1", "SN1"), ("N-1", "SCH1"), ("N-1", "HOU1")))
        assert r.status_code == 202, r.text
        assert [e["errors"][0]["field"] for e in r.json()["rejected"]] == ["code"]
        assert r.json()["accepted"] == 2

        # it reads its own registration (meanings included), and only its own
        mine = await env.client.get("/v1/datasets", headers=env.auth("nurses-la"))
        assert [d["id"] for d in mine.json()] == ["school-nurse"]
        assert mine.json()[0]["codes"][1]["meaning"] == "Missed school nurse review"

        # every change is versioned: who, what, when, before and after
        changes = (await env.client.get("/v1/registry/changes",
                                        headers=admin(env, "auditor-1", ["auditor"]))).json()
        mine = [c for c in changes if c["actor"] == "admin-1"]
        assert [(c["entity"], c["key"], c["action"]) for c in mine] == [
            ("partner", "nurses-la", "created"), ("dataset", "school-nurse", "created"),
            ("code", "school-nurse/SCH1", "created"), ("code", "school-nurse/SN1", "created")]
        whole = (await env.client.get("/v1/registry", headers=admin(env))).json()
        assert whole["revision"] == changes[-1]["seq"]


async def test_changes_retirement_and_refusals(nats_env, tmp_path):
    async with running_gateway(nats_env, tmp_path) as env:
        await env.client.put("/v1/registry/partners/nurses-la", json={"name": "Nursing"},
                             headers=admin(env))
        await env.client.put("/v1/registry/datasets/school-nurse", json=NURSES,
                             headers=admin(env))
        r = await env.post("nurses-la", "school-nurse", "events", events(("N-1", "SN1")))
        assert r.status_code == 202

        # a category may change (the scorer re-scores); a level may not, once data is held
        changed = {**NURSES, "codes": {**NURSES["codes"], "SN1": {
            "category": "non_health", "headline": "children-need-help"}}}
        r = await env.client.put("/v1/registry/datasets/school-nurse", json=changed,
                                 headers=admin(env))
        assert r.status_code == 200, r.text
        assert (await catalogue_of(env, "school-nurse")).codes[1].category == "non_health"
        r = await env.client.put("/v1/registry/datasets/school-nurse",
                                 json={**changed, "level": "property"}, headers=admin(env))
        assert r.status_code == 409 and "level" in r.json()["detail"]

        # a code left out is retired: refused in new events, its row kept
        only = {**NURSES, "codes": {"SN1": NURSES["codes"]["SN1"]}}
        r = await env.client.put("/v1/registry/datasets/school-nurse", json=only,
                                 headers=admin(env))
        codes = {c["code"]: c["retired_on"] for c in r.json()["codes"]}
        assert codes["SN1"] is None and codes["SCH1"] is not None
        r = await env.post("nurses-la", "school-nurse", "events", events(("N-1", "SCH1")))
        assert r.json()["accepted"] == 0 and r.json()["rejected"][0]["row"] == 0

        # bad input names the field; only an admin changes the registry
        bad = {**NURSES, "codes": {"SN2": {"category": "medical"}}}
        r = await env.client.put("/v1/registry/datasets/school-nurse", json=bad,
                                 headers=admin(env))
        assert r.status_code == 422 and "category" in r.text
        r = await env.client.put("/v1/registry/datasets/x", json={**NURSES, "partner": "nobody"},
                                 headers=admin(env))
        assert r.status_code == 422 and "partner" in r.json()["detail"]
        r = await env.client.put("/v1/registry/partners/p2", json={"name": "P"},
                                 headers=admin(env, "cw", ["caseworker"]))
        assert r.status_code == 403

        # retiring the partner retires its datasets: no more uploads
        r = await env.client.post("/v1/registry/partners/nurses-la/retire",
                                  headers=admin(env))
        assert r.status_code == 200 and r.json()["retired_on"] is not None
        r = await env.post("nurses-la", "school-nurse", "events", events(("N-1", "SN1")))
        assert r.status_code == 403 and r.json()["detail"] == "the dataset is retired"


async def test_the_seed_file_does_not_override_the_api(nats_env, tmp_path):
    registry = tmp_path / "registry.yaml"
    shutil.copy(REGISTRY, registry)
    (tmp_path / "a").mkdir()
    async with running_gateway(nats_env, tmp_path / "a", registry_path=registry) as env:
        r = await env.client.put("/v1/registry/datasets/housing-tenancies", json={
            "partner": "housing-fch", "kind": "housing", "agreement": AGREEMENT,
            "codes": {"HOU1": {"category": "non_health", "headline": "worklessness-finance",
                               "meaning": "Rent arrears over 4 weeks"}}}, headers=admin(env))
        assert r.status_code == 200, r.text
    text = registry.read_text().replace("Example GP practice (P81001)", "Practice P81001")
    registry.write_text(text)
    async with running_gateway(nats_env, tmp_path / "a", registry_path=registry) as env:
        whole = (await env.client.get("/v1/registry", headers=admin(env))).json()
    housing = next(d for d in whole["datasets"] if d["id"] == "housing-tenancies")
    in_force = [c["code"] for c in housing["codes"] if c["retired_on"] is None]
    assert in_force == ["HOU1"] and len(housing["codes"]) > 1  # the rest retired by the API
    assert housing["codes"][0]["meaning"] == "Rent arrears over 4 weeks"
    names = {p["id"]: (p["name"], p["managed_by"]) for p in whole["partners"]}
    assert names["gp-p81001"] == ("Practice P81001", "file")  # file-managed: kept in step


def test_an_invalid_seed_file_names_the_entry_and_field(tmp_path):
    bad = tmp_path / "registry.yaml"
    bad.write_text(REGISTRY.read_text().replace("category: health", "category: medical", 1))
    with pytest.raises(ValueError, match=r"dataset gp-p81001: field 'codes.GP1.category'"):
        read_registry(bad)
