"""Tokens, idempotency, refused bodies and batch progress."""

from __future__ import annotations

import uuid

from services.common import messages as m
from services.common import subjects
from tests.gateway.conftest import CHUNK_ROWS, GP, MAX_BODY, MAX_ROWS, SCHOOL, person
from tests.support import eventually

PROBLEM = "application/problem+json"


async def test_token_required(env):
    r = await env.client.post("/v1/datasets/gp-p81001/identities",
                              json={"records": [person("EMIS-1")]})
    assert r.status_code == 401 and r.headers["content-type"] == PROBLEM


async def test_wrong_scope_refused(env):
    r = await env.client.post("/v1/datasets/gp-p81001/identities",
                              json={"records": [person("EMIS-1")]},
                              headers=env.auth("gp-p81001", scope=("read",)))
    assert r.status_code == 403 and "ingest" in r.json()["detail"]


async def test_other_partners_dataset_refused_and_unknown_dataset_404(env):
    r = await env.post(*SCHOOL[:1], GP[1], "identities", {"records": [person("X-1")]})
    assert r.status_code == 403 and r.headers["content-type"] == PROBLEM
    r = await env.post(GP[0], "no-such-dataset", "identities", {"records": [person("X-1")]})
    assert r.status_code == 404
    r = await env.client.post("/v1/datasets/gp-p81001/identities",
                              json={"records": [person("EMIS-1")]},
                              headers=env.auth(None))
    assert r.status_code == 403


async def test_datasets_lists_own_with_meanings(env):
    r = await env.client.get("/v1/datasets", headers=env.auth("police-gmp"))
    assert r.status_code == 200
    (ds,) = r.json()
    assert (ds["id"], ds["level"], ds["kind"]) == ("police-callouts", "property", "police")
    assert [c["code"] for c in ds["codes"]] == ["POL1", "POL2", "POL3"]
    assert ds["codes"][0]["meaning"].startswith("Domestic abuse")


async def test_idempotency_key_replays_and_conflicts(env):
    partner, dataset = GP
    key = f"upload-{uuid.uuid4().hex}"
    body = {"records": [person("EMIS-200001"), person("EMIS-200002", postcode="bad")]}
    first = await env.post(partner, dataset, "identities", body, key=key)
    second = await env.post(partner, dataset, "identities", body, key=key)
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    assert first.json()["accepted"] == 1 and first.json()["rejected"][0]["row"] == 1
    batch_id = first.json()["batch_id"]
    got = [x for x in await env.read(subjects.IDENTITY, "pseudonymiser")
           if x[2].batch_id == batch_id]
    assert len(got) == 1
    other = {"records": [person("EMIS-200003")]}
    r = await env.post(partner, dataset, "identities", other, key=key)
    assert r.status_code == 409 and r.headers["content-type"] == PROBLEM
    # The same key for another kind is another batch.
    r = await env.post(partner, dataset, "events", {"events": [
        {"local_id": "EMIS-200001", "code": "GP1", "occurred_on": "2026-01-01"}]}, key=key)
    assert r.status_code == 202 and r.json()["batch_id"] != batch_id
    await env.read(subjects.EVENTS, "linker")


async def test_without_key_each_upload_is_a_new_batch(env):
    body = {"records": [person("EMIS-300001")]}
    a = await env.post(*GP, "identities", body)
    b = await env.post(*GP, "identities", body)
    assert a.json()["batch_id"] != b.json()["batch_id"]
    await env.read(subjects.IDENTITY, "pseudonymiser", want=2)


async def test_oversize_body_is_413_and_nothing_published(env):
    big = {"records": [person(f"EMIS-{i:06d}", address="x" * 400) for i in range(200)]}
    r = await env.post(*GP, "identities", big)
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM
    assert str(MAX_BODY) in r.json()["detail"]
    rows = "local_id,code,occurred_on\n" + "L1,GP1,2026-01-01\n" * (MAX_ROWS + 1)
    r = await env.post(*GP, "events", csv=rows)
    assert r.status_code == 413
    assert await env.read(subjects.IDENTITY, "pseudonymiser", want=0, timeout=0.5) == []
    assert await env.read(subjects.EVENTS, "linker", want=0, timeout=0.5) == []


async def test_unreadable_bodies(env):
    bad_json = await env.client.post(
        "/v1/datasets/gp-p81001/identities", content=b"{not json",
        headers={**env.auth(), "Content-Type": "application/json"})
    assert bad_json.status_code == 422 and bad_json.headers["content-type"] == PROBLEM
    wrong_key = await env.post(*GP, "events", {"records": []})
    assert wrong_key.status_code == 422 and "'events'" in wrong_key.json()["detail"]
    xml = await env.client.post("/v1/datasets/gp-p81001/events", content=b"<events/>",
                                headers={**env.auth(), "Content-Type": "application/xml"})
    assert xml.status_code == 415
    unknown_column = await env.post(*GP, "identities", csv="x\n1\n")
    assert unknown_column.status_code == 422 and "position 1" in unknown_column.json()["detail"]
    not_utf8 = await env.client.post(
        "/v1/datasets/gp-p81001/events", content="local_id,code,occurred_on\nJ\xe9,GP1,"
        "2026-01-01\n".encode("latin-1"), headers={**env.auth(), "Content-Type": "text/csv"})
    # Bytes that are not UTF-8 reject the row and field they sit in, never the value.
    assert not_utf8.status_code == 202 and not_utf8.json()["accepted"] == 0
    (rejected,) = not_utf8.json()["rejected"]
    assert rejected["row"] == 0 and rejected["errors"][0]["field"] == "local_id"
    assert "UTF-8" in rejected["errors"][0]["message"]
    assert "\\udce9" not in not_utf8.text and "J\\u" not in not_utf8.text
    # A file sent without its header row: refused, and its first row is not echoed.
    headless = await env.post(*GP, "identities",
                              csv="EMIS-9,Ada,Lovelace,1985-12-10\n")
    assert headless.status_code == 422
    assert "EMIS-9" not in headless.text and "lovelace" not in headless.text.lower()
    missing = await env.post(*GP, "identities", csv="local_id,given_name\nEMIS-9,Ada\n")
    assert missing.status_code == 422 and "family_name" in missing.json()["detail"]
    assert await env.read(subjects.IDENTITY, "pseudonymiser", want=0, timeout=0.5) == []


async def _progress(env, service: str, batch_id: str, chunk: int, processed: int) -> None:
    peer = await env.nats_env.bus(service)
    try:
        await peer.publish(subjects.PROGRESS, m.BatchProgress(
            batch_id=batch_id, chunk=chunk, service=service, processed=processed),
            msg_id=uuid.uuid4().hex)
    finally:
        await peer.nc.close()


async def _status(env, partner: str, batch_id: str) -> dict:
    r = await env.client.get(f"/v1/batches/{batch_id}", headers=env.auth(partner))
    assert r.status_code == 200, r.text
    return r.json()


async def test_batch_progress_reaches_complete(env):
    rows = [person(f"EMIS-4{i:05d}") for i in range(CHUNK_ROWS + 1)]
    reply = (await env.post(*GP, "identities", {"records": rows})).json()
    batch_id = reply["batch_id"]
    await env.read(subjects.IDENTITY, "pseudonymiser", want=2)
    assert await _status(env, GP[0], batch_id) == {
        "batch_id": batch_id, "status": "processing", "accepted": len(rows),
        "processed": 0, "rejected": 0}
    await _progress(env, "pseudonymiser", batch_id, 0, CHUNK_ROWS)
    await _progress(env, "pseudonymiser", batch_id, 0, CHUNK_ROWS)  # a repeat counts once

    async def processed(n: int):
        return (await _status(env, GP[0], batch_id))["processed"] == n

    await eventually(lambda: processed(CHUNK_ROWS))
    assert (await _status(env, GP[0], batch_id))["status"] == "processing"
    await _progress(env, "pseudonymiser", batch_id, 1, 1)
    done = await eventually(lambda: _complete(env, GP[0], batch_id))
    assert done["processed"] == len(rows)
    # Another partner cannot see it.
    r = await env.client.get(f"/v1/batches/{batch_id}", headers=env.auth("schools-la"))
    assert r.status_code == 404


async def _complete(env, partner, batch_id):
    status = await _status(env, partner, batch_id)
    return status if status["status"] == "complete" else None


async def test_event_and_optout_progress(env):
    events = (await env.post(*GP, "events", {"events": [
        {"local_id": "EMIS-1", "code": "GP1", "occurred_on": "2026-01-01"}]})).json()
    await _progress(env, "linker", events["batch_id"], 0, 1)
    assert (await eventually(lambda: _complete(env, GP[0], events["batch_id"])))[
        "processed"] == 1
    optouts = (await env.post(*GP, "optouts", {"records": [person("EMIS-1")]})).json()
    await _progress(env, "pseudonymiser", optouts["batch_id"], 0, 1)
    assert (await _status(env, GP[0], optouts["batch_id"]))["status"] == "processing"
    await _progress(env, "consent", optouts["batch_id"], 0, 1)
    assert (await eventually(lambda: _complete(env, GP[0], optouts["batch_id"])))[
        "processed"] == 1
    await env.read(subjects.EVENTS, "linker")
    await env.read(subjects.OPTOUTS, "pseudonymiser")
    await env.read(subjects.CONSENT_REQUESTS, "consent")


async def test_all_rows_rejected_is_complete_at_once(env):
    reply = (await env.post(*GP, "identities", {"records": [{"local_id": "EMIS-5"}]})).json()
    assert reply["accepted"] == 0
    status = await _status(env, GP[0], reply["batch_id"])
    assert (status["status"], status["rejected"]) == ("complete", 1)
