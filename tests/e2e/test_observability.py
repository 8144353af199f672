"""The federation observed from outside, as an operator's Prometheus and log reader would:
`tessera demo` (a real process, calling every service through the generated SDK) pushes a
borough through it, settles it and unlocks someone, and every service's /metrics moves
by what the demo did; no label holds a pseudonym or anything of a person, and a
request's id and trace reach the log lines of the services its messages went to."""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from datetime import date

import httpx
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families
from tessera_client.gateway import AuthenticatedClient as GatewayClient
from tessera_client.gateway.api.gateway import list_batches

from deploy.demo import MAX_CHUNK, DemoApi, chunked, wait_batches
from deploy.federation import REPO
from services.common.subjects import SERVICES
from synthetic import generate_borough
from tests.e2e.conftest import federation, registry_codes
from tests.e2e.scan import program_vocabulary, sensitive_values
from tests.support import eventually

SEED = 23
HOUSEHOLDS = 60
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = f"00-{TRACE_ID}-b7ad6b7169203331-01"
# what a label's value may never be: a pseudonym, a record, event or batch token
TOKEN_PREFIXES = ("p_", "h_", "r_", "e_", "b_")
IDENTITY_FIELDS = {"given_name", "family_name", "date_of_birth", "postcode", "address",
                   "local_id", "nhs_number", "uprn", "pseudonym", "person", "household"}
HTTP = "tessera_http_request_duration_seconds_count"


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
    """The federation scraped before and after `tessera demo` runs against it."""
    async with federation(tmp_path_factory.mktemp("observed")) as run:
        before = await scrape_all(run)
        run.borough = generate_borough(SEED, HOUSEHOLDS, date.today())
        run.demo = await demo(run, run.borough)
        run.batches = await batches(run, run.borough)
        after = await eventually(lambda: settled(run, before))
        yield run, before, after


async def demo(run, borough) -> tuple[int, str, str]:
    """`tessera demo` for this borough, as a process: its exit code, output and errors."""
    ports = [f"--port={service}={port}" for service, port in run.fed.ports.items()]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "deploy", "--var", str(run.fed.layout.root), "demo",
        "--seed", str(SEED), "--households", str(HOUSEHOLDS),
        "--as-of", borough.as_of.isoformat(), *ports,
        cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=600)
    return process.returncode, out.decode(), err.decode()


async def batches(run, borough) -> list[tuple[str, str]]:
    """Every batch the borough's partners have at the gateway, by the SDK."""
    found = []
    for partner in sorted({ds.partner for ds in borough.datasets}):
        token = run.token("gateway", partner=partner, scope=["ingest"])
        async with GatewayClient(base_url=run.url("gateway"), token=token) as client:
            listed = await list_batches.asyncio(client=client, limit=500)
        found += [(partner, batch.batch_id) for batch in listed]
    return found


async def settled(run, before) -> dict | None:
    """The scrapes once every consumer has taken what was sent to it."""
    after = await scrape_all(run)
    lag = sum(total(after[s], "tessera_consumer_pending") for s in SERVICES)
    return after if lag == 0 else None


def moved(observed, service: str, name: str, **labels) -> float:
    _, before, after = observed
    return total(after[service], name, **labels) - total(before[service], name, **labels)


async def test_the_demo_ran_to_its_unlock(observed):
    run, _, _ = observed
    code, out, err = run.demo
    assert code == 0, err
    assert "calibration settled" in out and "unlock of #1 succeeded" in out, out
    assert "Traceback" not in err


async def test_each_call_of_the_demo_is_counted_by_route(observed):
    run, _, _ = observed
    chunks = Counter()
    for _, _, kind, rows in run.borough.uploads():
        chunks[kind] += len(chunked(rows, MAX_CHUNK))
    for kind in ("identities", "events", "optouts"):
        assert moved(observed, "gateway", HTTP, method="POST", status="202",
                     route=f"/v1/datasets/{{dataset}}/{kind}") == chunks[kind], kind
    assert moved(observed, "gateway", HTTP, method="GET", route="/readyz", status="200") >= 1
    assert moved(observed, "gateway", HTTP, method="GET", route="/v1/batches/{batch_id}",
                 status="200") >= len(run.batches) == sum(chunks.values())
    assert moved(observed, "scorer", HTTP, method="GET", status="200",
                 route="/v1/rules/{rule_id}/calibration") >= 3  # until 3 readings agree
    assert moved(observed, "reidentify", HTTP, method="GET", route="/v1/cohorts/{rule_id}",
                 status="200") >= 1
    assert moved(observed, "reidentify", HTTP, method="POST", route="/v1/unlock",
                 status="200") == 1


async def test_rows_deliveries_and_unlocks_move(observed):
    run, _, after = observed
    rows = sum(len(r) for _, _, _, r in run.borough.uploads())
    assert moved(observed, "gateway", "tessera_gateway_rows_total", outcome="accepted") == rows
    assert moved(observed, "gateway", "tessera_gateway_rows_total", outcome="rejected") == 0
    for service in ("pseudonymiser", "linker", "scorer", "reidentify", "consent", "gateway"):
        assert moved(observed, service, "tessera_consumer_deliveries_total",
                     outcome="applied") > 0, service
    assert moved(observed, "pseudonymiser", "tessera_pseudonymiser_linkage_seconds_count") > 0
    assert total(after["pseudonymiser"], "tessera_pseudonymiser_linkage_model_info") == 1
    assert moved(observed, "reidentify", "tessera_reidentify_unlocks_total", action="unlock",
                 outcome="released") == 1
    assert moved(observed, "reidentify", "tessera_reidentify_unlocks_total",
                 outcome="refused") == 0
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
    _, out, err = run.demo  # whole pseudonyms, counts and ids: no identity
    assert [line for line in (out + err).splitlines() if sensitive.identity_hits(line)] == []


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
