"""Agreements across the real federation (its own, so nothing here disturbs the shared one):
a report per agreement, a subject access export, retention expiry in every slice, then the
secure-box scan, then ending the agreement refuses ingest."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import yaml
from nats.js.errors import NotFoundError

from deploy import cli
from deploy.cli.context import Exit
from deploy.federation import REPO
from services.common import bus, erasure, signing, subjects
from services.common import messages as m
from tests.e2e.conftest import federation_with_borough, registry_codes
from tests.e2e.scan import program_vocabulary, sensitive_values, sqlite_texts
from tests.support import eventually

AGREEMENT = "isa-oldham-early-help-2026"
SLICES = ("pseudonymiser", "linker", "scorer", "reidentify")
NO_IDENTITY = ("linker", "scorer", "reidentify", "consent", "gateway")


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def small(tmp_path_factory):
    async with federation_with_borough(tmp_path_factory.mktemp("agreements"),
                                       households=60, seed=23) as run:
        yield run


@pytest.fixture(scope="module")
def sensitive(small):
    return sensitive_values(small.borough, registry_codes(), program_vocabulary(REPO))


async def call(run, method: str, service: str, path: str, *roles: str, **kw):
    token = run.token(service, subject="dpo-1", roles=list(roles or ["admin"]), org="council")
    async with httpx.AsyncClient(timeout=30, verify=run.fed.verify) as c:
        return await c.request(method, f"{run.url(service)}{path}",
                               headers={"Authorization": f"Bearer {token}"}, **kw)


async def holdings(run, service: str) -> dict:
    r = await call(run, "GET", service, f"/v1/agreements/{AGREEMENT}/holdings", "auditor")
    assert r.status_code == 200, r.text
    return r.json()["counts"]


async def test_report_per_agreement_in_every_slice(small):
    async def scored():  # the scorer evaluates after the batches report done
        return (await holdings(small, "scorer"))["evaluations"] > 0

    await eventually(scored, timeout=60)
    report = {s: await holdings(small, s) for s in ("gateway", *SLICES)}
    assert report["gateway"]["batches"] > 0 and report["gateway"]["rows_accepted"] > 0
    assert report["pseudonymiser"]["identity_records"] > 0
    assert report["linker"]["events"] > 0 and report["linker"]["persons"] > 0
    assert report["scorer"]["evaluations"] > 0
    assert set(report["reidentify"]) == {"flags", "active_flags"}


def tessera(run, *args: str, stdin: str = "") -> dict:
    """`tessera ...` as a DPO or admin runs it against this federation; its JSON output."""
    ports = [f"--port={s}={p}" for s, p in run.fed.ports.items()]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), mock_stdin(stdin):
        code = cli.main(["--var", str(run.fed.layout.root), *args, *ports])
    assert code == 0
    return json.loads(out.getvalue())


@contextlib.contextmanager
def mock_stdin(text: str):
    """Standard input as a pipe would give it (not a terminal)."""
    saved, sys.stdin = sys.stdin, io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved


def read_parts(files: list[str]) -> dict[str, dict]:
    return {Path(f).stem: json.loads(Path(f).read_text()) for f in files if f.endswith(".json")}


async def test_subject_access_is_a_case_each_slice_released_and_logged(small, tmp_path):
    truth = small.borough.truth
    person_id = next(p for p in sorted(truth.person_events) if p not in truth.optouts)
    who = small.borough.identity(person_id)
    case = (await asyncio.to_thread(
        tessera, small, "subject-access", "open", "--reference", "SAR-2026-0042",
        "--requester", "data-subject",
        "--justification", "Request received 1 December; identity checked by the DPO"))
    found = await asyncio.to_thread(
        tessera, small, "subject-access", "search", "--case", case["case_id"],
        stdin=json.dumps({k: who[k] for k in ("family_name", "date_of_birth", "given_name")}))
    pseudonym = found["persons"][0]["pseudonym"]
    exported = await asyncio.to_thread(
        tessera, small, "subject-access", "export", "--case", case["case_id"],
        "--pseudonym", pseudonym, "--out", str(tmp_path / "sar"))
    parts = await asyncio.to_thread(read_parts, exported["files"])
    assert set(parts) == {"pseudonymiser", "linker", "scorer", "reidentify", "consent"}
    assert parts["pseudonymiser"]["found"] and parts["pseudonymiser"]["records"]
    assert {rec["agreement"] for rec in parts["pseudonymiser"]["records"]} == {AGREEMENT}
    assert parts["linker"]["events"]
    assert {e["agreement"] for e in parts["linker"]["events"]} == {AGREEMENT}
    # each event says what its code means, as its dataset's registry entry says
    registry = yaml.safe_load((REPO / "deploy" / "config" / "registry.yaml").read_text())
    meaning = {(d["id"], code): spec["meaning"] for d in registry["datasets"]
               for code, spec in d["codes"].items()}
    assert [e["meaning"] for e in parts["linker"]["events"]] == [
        meaning[(e["dataset"], e["code"])] for e in parts["linker"]["events"]]
    # no file carries identity and demand together
    codes = {e["code"] for e in parts["linker"]["events"]}
    for name, part in parts.items():
        text = json.dumps(part)
        has_identity = who["family_name"] in text
        has_demand = any(f'"{c}"' in text for c in codes)
        assert not (has_identity and has_demand), name
    assert any(f.endswith("pseudonymiser-records.csv") for f in exported["files"])

    auditor = {"Authorization": "Bearer " + small.token("reidentify", roles=["auditor"])}
    async with httpx.AsyncClient(timeout=30, verify=small.fed.verify) as c:
        r = await c.get(f"{small.url('reidentify')}/v1/access-log",
                        params={"limit": 500}, headers=auditor)
        steps = [(e["action"], e["slice"], e["outcome"]) for e in r.json()
                 if e["case_id"] == case["case_id"]]
        assert steps == [("sar-open", None, "allowed"),
                         ("sar-search", "pseudonymiser", "allowed")] + [
            ("sar-found", "pseudonymiser", "allowed")] * len(found["persons"]) + [
            ("sar-export", s, "allowed") for s in ("pseudonymiser", "linker", "scorer",
                                                   "reidentify", "consent")]
        # the search terms are nowhere in the log; the persons found are
        assert who["family_name"] not in r.text
        # a person the case's searches did not find is not exported under it
        other = await c.get(f"{small.url('linker')}/v1/subject-access/p_someone_else",
                            params={"case": case["case_id"]},
                            headers={"Authorization": "Bearer " + small.token(
                                "linker", subject="dev-dpo", roles=["dpo"])})
        assert (other.status_code, other.json()["reason"]) == (403, "not-in-case")
        # an auditor reads the log, not people; a closed case releases nothing more
        r = await c.get(f"{small.url('linker')}/v1/subject-access/{pseudonym}",
                        params={"case": case["case_id"]},
                        headers={"Authorization": "Bearer " + small.token(
                            "linker", roles=["auditor", "admin"])})
        assert r.status_code == 403
    await asyncio.to_thread(tessera, small, "subject-access", "close", "--case",
                            case["case_id"])
    dpo = small.token("linker", subject="dev-dpo", roles=["dpo"])
    async with httpx.AsyncClient(timeout=30, verify=small.fed.verify) as c:
        r = await c.get(f"{small.url('linker')}/v1/subject-access/{pseudonym}",
                        params={"case": case["case_id"]},
                        headers={"Authorization": f"Bearer {dpo}"})
    assert (r.status_code, r.json()["reason"]) == (403, "closed")
    assert "events" not in r.json()


async def test_retention_expiry_deletes_in_every_slice(small, sensitive):
    later = (datetime.now(UTC) + timedelta(days=3 * 365)).isoformat()

    async def all_gone():
        for service in SLICES:
            r = await call(small, "POST", service, "/v1/retention/sweep", json={"as_of": later})
            assert r.status_code == 200, r.text
        counts = {s: await holdings(small, s) for s in SLICES}
        return (counts["pseudonymiser"]["identity_records"] == 0
                and counts["linker"]["events"] == 0
                and counts["scorer"]["evaluations"] == 0
                and counts["reidentify"]["flags"] == 0)

    await eventually(all_gone, timeout=60, interval=0.5)
    # what recognises those who objected stays, so their new records are withheld too
    assert (await holdings(small, "pseudonymiser"))["objection_records"] > 0

    # the secure-box scan still passes after all of it
    for service in NO_IDENTITY:
        hits = {place for place, text in sqlite_texts(small.connect(service))
                if sensitive.identity_hits(text)}
        assert hits == set(), service
    for path in sorted(small.fed.layout.logs.glob("*.log")):
        lines = [n for n, line in enumerate(path.read_text(errors="replace").splitlines())
                 if sensitive.identity_hits(line)]
        assert lines == [], path.name
    notices = [data.decode() for subject, data in small.captured
               if subject == "tessera.registry.agreements"]
    assert notices
    assert not any(sensitive.identity_hits(text) or sensitive.code_hits(text)
                   for text in notices)


# a name no generator makes, parked in dead letters: ending the agreement must erase it
PARKED_NAME = "Quarrington-Zebedee"


async def park_dead_letters(run) -> None:
    """A dead letter in each slice's stream: one of the agreement's (with an identity in
    the pseudonymiser's), one of another agreement's, which must stay."""
    passwords = json.loads(run.fed.layout.nats_passwords.read_text())
    for service in SLICES:
        nc = await bus.connect(url=run.fed.nats_url, service=service, user=service,
                               password=passwords[service])
        try:
            js = nc.jetstream()
            mine = {"batch_id": "b-dead", "chunk": 0, "agreement": AGREEMENT,
                    "items": [{"family_name": PARKED_NAME, "given_name": "Ann"}]}
            other = {"batch_id": "b-other", "chunk": 0, "agreement": "isa-other-2026",
                     "items": []}
            for payload in (mine, other):
                await js.publish(subjects.deadletter_subject(service),
                                 json.dumps(payload).encode(),
                                 headers={"Tessera-Reason": "test"})
        finally:
            await nc.close()


async def dead_letters(run, service: str) -> list[dict]:
    r = await call(run, "GET", service, "/v1/ops/dead-letters")
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def parked_holding(run, text: str) -> list[str]:
    """The slices whose dead-letter stream holds a message containing ``text`` (read as
    each slice; the store's files are encrypted, so the stream is where to look)."""
    passwords = json.loads(run.fed.layout.nats_passwords.read_text())
    holding = []
    for service in SLICES:
        nc = await bus.connect(url=run.fed.nats_url, service=service, user=service,
                               password=passwords[service])
        try:
            js, stream = nc.jetstream(), subjects.deadletter_stream(service)
            info = await js.stream_info(stream)
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                with contextlib.suppress(NotFoundError):
                    if text.encode() in ((await js.get_msg(stream, seq)).data or b""):
                        holding.append(service)
                        break
        finally:
            await nc.close()
    return holding


async def test_ended_agreement_refuses_ingest_and_every_slice_knows(small):
    await park_dead_letters(small)
    before = {s: len(await dead_letters(small, s)) for s in SLICES}
    # the control: the parked identity is there, on the dead-letter streams, to be erased
    assert await parked_holding(small, PARKED_NAME) == list(SLICES)
    r = await call(small, "POST", "gateway", f"/v1/agreements/{AGREEMENT}/end")
    assert r.status_code == 200 and not r.json()["in_force"]
    token = small.token("gateway", subject="svc-gp", partner="gp-p81001", scope=["ingest"])
    async with httpx.AsyncClient(timeout=30, verify=small.fed.verify) as c:
        r = await c.post(f"{small.url('gateway')}/v1/datasets/gp-p81001/events",
                         headers={"Authorization": f"Bearer {token}"},
                         json={"events": [{"local_id": "X1", "code": "GP1",
                                           "occurred_on": "2026-01-05"}]})
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "not in force" in r.json()["detail"]

    async def everyone_knows():
        for service in SLICES:
            r = await call(small, "GET", service, "/v1/agreements", "auditor")
            known = {a["agreement"]: a for a in r.json()}
            if (known.get(AGREEMENT) or {}).get("ended_on") != date.today().isoformat():
                return False
        return True

    await eventually(everyone_knows, timeout=30)

    # each slice erased the agreement's dead letters, kept the other's, and signed a receipt
    async def receipted():
        r = await call(small, "GET", "gateway", f"/v1/agreements/{AGREEMENT}/receipts",
                       "auditor")
        assert r.status_code == 200, r.text
        found = {x["service"]: x for x in r.json() if x["reason"] == "agreement-ended"}
        return found if set(found) == set(SLICES) else None

    receipts = await eventually(receipted, timeout=30)
    for service, made in receipts.items():
        assert made["removed"]["dead_letters"] == 1, (service, made)
        assert len(await dead_letters(small, service)) == before[service] - 1
        key = signing.load_public_key(
            signing.public_key_path(small.fed.layout.events_key(service)))
        assert erasure.receipt_holds(m.DeletionReceipt(**made), key), service
        forged = m.DeletionReceipt(**{**made, "removed": {**made["removed"],
                                                          "dead_letters": 0}})
        assert not erasure.receipt_holds(forged, key)
    # counted even when the retention sweep above had already removed the rows
    assert "identity_records" in receipts["pseudonymiser"]["removed"]
    # erased (JetStream overwrites an erased message; its files are encrypted anyway)
    assert await parked_holding(small, PARKED_NAME) == []


def test_cli_lists_reports_and_ends(small, capsys):
    """`tessera agreements` against the running services (admin token from the layout)."""
    fed = small.fed
    ports = [f"--port={s}={p}" for s, p in fed.ports.items()]
    base = ["--var", str(fed.layout.root), "agreements"]
    assert cli.main([*base, "list", *ports]) == 0
    listed = json.loads(capsys.readouterr().out)
    ids = [a["id"] for a in listed]
    assert ids, listed
    assert cli.main([*base, "report", ids[0], *ports]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["agreement"] == ids[0]
    assert set(report["slices"]) >= {"pseudonymiser", "linker", "scorer", "reidentify"}


def test_the_demo_after_the_end_says_how_to_start_again(small, capsys):
    """`make demo` once its agreement has ended: one message naming the way back, exit 4,
    no traceback (last in this module: the agreement stays ended)."""
    fed = small.fed
    ports = [f"--port={s}={p}" for s, p in fed.ports.items()]
    base = ["--var", str(fed.layout.root)]
    cli.main([*base, "agreements", "end", AGREEMENT, *ports])  # ended already, or now
    capsys.readouterr()
    assert cli.main([*base, "demo", "--households", "5", *ports]) == Exit.STATE
    err = capsys.readouterr().err
    assert "no longer in force" in err and "make clean-var" in err, err
    assert AGREEMENT in err and "Traceback" not in err
