"""The federation observed from outside, as an operator's Prometheus and log reader would:
every service's /metrics moves when a borough is pushed through it and someone is
unlocked, no label holds a pseudonym or anything of a person, and a request's id and
trace reach the log lines of the services its messages went to."""

from __future__ import annotations

import json
from datetime import date

import httpx
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families

from deploy.demo import DemoApi, upload, wait_batches
from deploy.federation import REPO
from services.common.subjects import SERVICES
from synthetic import generate_borough
from tests.e2e.conftest import federation, registry_codes
from tests.e2e.scan import program_vocabulary, sensitive_values
from tests.support import eventually

SEED = 23
HOUSEHOLDS = 60
PURPOSE = "early-help-triage"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = f"00-{TRACE_ID}-b7ad6b7169203331-01"
# what a label's value may never be: a pseudonym, a record, event or batch token
TOKEN_PREFIXES = ("p_", "h_", "r_", "e_", "b_")
IDENTITY_FIELDS = {"given_name", "family_name", "date_of_birth", "postcode", "address",
                   "local_id", "nhs_number", "uprn", "pseudonym", "person", "household"}


def labelled(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [(s.name, s.labels, s.value)
            for family in text_string_to_metric_families(text) for s in family.samples]


def total(scrape, name: str, **labels) -> float:
    return sum(value for n, have, value in scrape
               if n == name and all(have.get(k) == v for k, v in labels.items()))


async def scrape_all(run) -> dict[str, list]:
    async with httpx.AsyncClient(timeout=30) as client:
        return {service: labelled((await client.get(f"{run.url(service)}/metrics")).text)
                for service in SERVICES}


def log_lines(run, service: str) -> list[dict]:
    out = []
    for line in (run.fed.layout.logs / f"{service}.log").read_text(errors="replace"
                                                                   ).splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def observed(tmp_path_factory):
    """The federation scraped before and after a small borough is pushed, settled and one
    of its people unlocked."""
    async with federation(tmp_path_factory.mktemp("observed")) as run:
        before = await scrape_all(run)
        run.borough = generate_borough(SEED, HOUSEHOLDS, date.today())
        async with httpx.AsyncClient(timeout=60) as client:
            api = DemoApi(client, run.url("gateway"), run.url("scorer"),
                          run.url("reidentify"), run.tokens)
            run.batches = await upload(api, run.borough, 2000, out=lambda line: None)
            await wait_batches(api, run.batches, poll=0.3, timeout=180)
            run.unlocked = await unlock_someone(run, client)
        after = await eventually(lambda: settled(run, before))
        yield run, before, after


async def unlock_someone(run, client: httpx.AsyncClient) -> httpx.Response:
    """A flagged person's identity when the borough flags anyone, else a refusal."""
    clearance = {"roles": ["caseworker"], "districts": ["OL1", "OL2", "OL4", "OL8", "OL9"],
                 "purposes": [PURPOSE], "org": "oldham-early-help"}
    auth = {"Authorization": f"Bearer {run.token('reidentify', **clearance)}"}
    cohort = await client.get(f"{run.url('reidentify')}/v1/cohorts/oldham-gp-pilot",
                              headers=auth)
    assert cohort.status_code == 200, cohort.text
    flagged = cohort.json()
    pseudonym = flagged[0]["pseudonym"] if flagged else "p_nobodyflagged"
    if flagged:
        clearance["districts"] = [flagged[0]["area"]]
        auth = {"Authorization": f"Bearer {run.token('reidentify', **clearance)}"}
    return await client.post(f"{run.url('reidentify')}/v1/unlock", headers=auth, json={
        "pseudonym": pseudonym, "purpose": PURPOSE,
        "justification": "Metrics test: early help panel case discussion"})


async def settled(run, before) -> dict | None:
    """The scrapes once every consumer has taken what was sent to it."""
    after = await scrape_all(run)
    lag = sum(total(after[s], "tessera_consumer_pending") for s in SERVICES)
    return after if lag == 0 else None


async def test_every_service_counts_its_requests(observed):
    _, before, after = observed
    for service in SERVICES:
        name = "tessera_http_request_duration_seconds_count"
        assert total(after[service], name) > total(before[service], name), service


async def test_rows_deliveries_and_unlocks_move(observed):
    run, before, after = observed
    rows = sum(len(r) for _, _, _, r in run.borough.uploads())

    def moved(service, name, **labels):
        return total(after[service], name, **labels) - total(before[service], name, **labels)

    assert moved("gateway", "tessera_gateway_rows_total", outcome="accepted") == rows
    assert moved("gateway", "tessera_gateway_rows_total", outcome="rejected") == 0
    for service in ("pseudonymiser", "linker", "scorer", "reidentify", "consent", "gateway"):
        assert moved(service, "tessera_consumer_deliveries_total", outcome="applied") > 0, \
            service
    assert moved("pseudonymiser", "tessera_pseudonymiser_linkage_seconds_count") > 0
    assert total(after["pseudonymiser"], "tessera_pseudonymiser_linkage_model_info") == 1
    outcome = "released" if run.unlocked.status_code == 200 else "refused"
    assert moved("reidentify", "tessera_reidentify_unlocks_total", action="unlock",
                 outcome=outcome) == 1
    for service in SERVICES:
        assert total(after[service], "tessera_consumer_dead_letters_total") == 0, service


async def test_no_label_holds_a_pseudonym_or_anything_of_a_person(observed):
    run, _, after = observed
    sensitive = sensitive_values(run.borough, registry_codes(), program_vocabulary(REPO))
    assert sensitive.names and sensitive.postcodes
    values: set[str] = set()
    for service in SERVICES:
        for _, labels, _ in after[service]:
            assert not IDENTITY_FIELDS & set(labels), (service, set(labels))
            values.update(labels.values())
    assert "/v1/unlock" in values and "/v1/batches/{batch_id}" in values
    assert [v for v in values if v.startswith(TOKEN_PREFIXES)] == []
    assert [v for v in values if sensitive.identity_hits(v)] == []
    batch_ids = {batch for _, batch in run.batches}
    assert batch_ids and not batch_ids & values


async def test_a_request_id_and_trace_reach_the_slices_its_messages_went_to(observed):
    run, _, _ = observed
    ds = run.borough.datasets[0]
    rows = [dict(r) for r in ds.identities[:2]]
    for row in rows:
        row["local_id"] = f"{row['local_id']}-traced"
    async with httpx.AsyncClient(timeout=60) as client:
        api = DemoApi(client, run.url("gateway"), run.url("scorer"),
                      run.url("reidentify"), run.tokens)
        token = run.token("gateway", partner=ds.partner, scope=["ingest"])
        headers = {"Authorization": f"Bearer {token}", "X-Request-ID": "operator-trace-0001",
                   "traceparent": TRACEPARENT}
        r = await client.post(f"{run.url('gateway')}/v1/datasets/{ds.dataset}/identities",
                              json={"records": rows}, headers=headers)
        assert r.status_code == 202, r.text
        assert r.headers["X-Request-ID"] == "operator-trace-0001"
        await wait_batches(api, [(ds.partner, r.json()["batch_id"])], poll=0.3, timeout=60)

    gateway = [x for x in log_lines(run, "gateway") if x.get("request_id") ==
               "operator-trace-0001"]
    assert gateway and all(x["trace_id"] == TRACE_ID for x in gateway)
    assert any(x["logger"] == "tessera.access" and x["message"] ==
               "POST /v1/datasets/{dataset}/identities 202" for x in gateway)

    def downstream():
        return [x for x in log_lines(run, "pseudonymiser") if x.get("trace_id") == TRACE_ID]

    lines = await eventually(downstream, timeout=30)
    assert all(x["request_id"] == "operator-trace-0001" for x in lines)
    assert any(x["message"].startswith("identity batches:") for x in lines)
