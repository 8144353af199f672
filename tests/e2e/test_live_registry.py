"""A partner registered while the federation runs sends data that is linked, scored and
flagged, with no restart; its dataset's code names are its own (a code name another
dataset uses keeps that dataset's category)."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import date, timedelta

import httpx
import yaml

from deploy import cli
from tests.e2e.conftest import federation
from tests.support import eventually

RULE = "oldham-gp-pilot"
AGREEMENT = "isa-oldham-early-help-2026"
CLEARANCE = {"roles": ["caseworker"], "districts": ["OL1"], "purposes": ["early-help-triage"],
             "org": "oldham-early-help"}
NURSING = {"partner": "nurses-la", "kind": "school-nursing", "level": "person",
           "agreement": AGREEMENT, "codes": {
               "SN1": {"category": "health", "headline": "health",
                       "meaning": "Missed school nurse review"},
               # the school census's SCH1 is persistent absence, non-health; this one is not
               "SCH1": {"category": "health", "headline": "health",
                        "meaning": "Seen by the school nurse for anxiety"}}}


def tessera(run, *args: str) -> dict | list:
    ports = [f"--port={s}={run.fed.ports[s]}" for s in ("gateway",)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["--var", str(run.fed.layout.root), *args, *ports]) == 0
    return json.loads(out.getvalue())


def identity(local_id: str, given: str, born: str) -> dict:
    return {"local_id": local_id, "given_name": given, "family_name": "Quillfeather",
            "date_of_birth": born, "sex": "female", "address": "4 Ashbourne Way, Oldham",
            "postcode": "OL1 4RT"}


async def push(run, client, partner: str, dataset: str, kind: str, rows: list[dict]):
    token = run.token("gateway", subject=f"svc-{partner}", partner=partner, scope=["ingest"])
    r = await client.post(f"{run.url('gateway')}/v1/datasets/{dataset}/{kind}",
                          json={"records" if kind == "identities" else "events": rows},
                          headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 202 and not r.json()["rejected"], r.text


async def test_a_partner_registered_live_is_linked_scored_and_flagged(tmp_path):
    async with federation(tmp_path) as run:
        tessera(run, "registry", "partner", "nurses-la", "--name", "School nursing")
        spec = tmp_path / "school-nurse.yaml"
        spec.write_text(yaml.safe_dump(NURSING))
        made = tessera(run, "registry", "dataset", "school-nurse", "--file", str(spec))
        assert [c["code"] for c in made["codes"]] == ["SCH1", "SN1"]
        changes = tessera(run, "registry", "changes")
        assert {(c["entity"], c["action"], c["actor"]) for c in changes
                if c["key"].startswith(("nurses-la", "school-nurse"))} == {
            ("partner", "created", "tessera-cli"), ("dataset", "created", "tessera-cli"),
            ("code", "created", "tessera-cli")}

        on = (date.today() - timedelta(days=10)).isoformat()
        people = {"ada": identity("{}-ADA", "Adaline", "2011-03-04"),
                  "bea": identity("{}-BEA", "Beatrix", "2012-07-21")}
        sources = (("schools-la", "school-census", "SCH1"), ("housing-fch", "housing-tenancies",
                   "HOU1"), ("csc-la", "csc-contacts", "CSC1"), ("nurses-la", "school-nurse",
                   "SCH1"))
        async with httpx.AsyncClient(timeout=30) as client:
            for partner, dataset, code in sources:
                rows = [{**p, "local_id": p["local_id"].format(dataset)} for p in people.values()]
                await push(run, client, partner, dataset, "identities", rows)
                await push(run, client, partner, dataset, "events", [
                    {"local_id": r["local_id"], "code": code, "occurred_on": on} for r in rows])
            # only Adaline has a fifth indicator, the nurse's SN1
            await push(run, client, "nurses-la", "school-nurse", "events", [
                {"local_id": "school-nurse-ADA", "code": "SN1", "occurred_on": on}])

            token = run.token("reidentify", subject="cw-1", **CLEARANCE)
            headers = {"Authorization": f"Bearer {token}"}

            async def flagged():
                r = await client.get(f"{run.url('reidentify')}/v1/cohorts/{RULE}",
                                     headers=headers)
                return r.status_code == 200 and r.json()

            rows = await eventually(flagged, timeout=90)
            assert len(rows) == 1
            r = await client.post(f"{run.url('reidentify')}/v1/unlock", headers=headers, json={
                "pseudonym": rows[0]["pseudonym"], "purpose": "early-help-triage",
                "justification": "End-to-end test: a newly registered partner's data"})
            assert r.status_code == 200, r.text
            assert [s["given_name"] for s in r.json()["subjects"]] == ["Adaline"]
