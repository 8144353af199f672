"""A partner's batch receipts: GET /v1/batches (its own, newest first, with their status)
and GET /v1/batches/{id}/receipt (the rejected rows by row and field, never the value)."""

from __future__ import annotations

import uuid

from services.common import messages as m
from services.common import subjects
from tests.gateway.conftest import GP, SCHOOL, person
from tests.support import eventually

BAD_POSTCODE = "QQ99 9QQQ"


async def listed(env, partner: str, **params) -> list[dict]:
    r = await env.client.get("/v1/batches", params=params, headers=env.auth(partner))
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_partner_lists_its_own_batches_and_their_receipts(env):
    bad = await env.post(*GP, "identities", {"records": [
        person("EMIS-700001"), person("EMIS-700002", postcode=BAD_POSTCODE),
        person("EMIS-700003", date_of_birth="1985-13-40", postcode=BAD_POSTCODE)]})
    events = await env.post(*GP, "events", {"events": [
        {"local_id": "EMIS-700001", "code": "GP1", "occurred_on": "2026-01-01"}]})
    school = await env.post(*SCHOOL, "identities", {"records": [person("UPN-700001")]})
    assert bad.status_code == events.status_code == school.status_code == 202
    await env.read(subjects.IDENTITY, "pseudonymiser", want=2)
    await env.read(subjects.EVENTS, "linker")

    got = await listed(env, GP[0])
    assert [(b["batch_id"], b["dataset"], b["kind"], b["accepted"], b["rejected"],
             b["status"]) for b in got] == [
        (events.json()["batch_id"], GP[1], "events", 1, 0, "processing"),
        (bad.json()["batch_id"], GP[1], "identities", 1, 2, "processing")]
    assert got[0]["received_at"] >= got[1]["received_at"]
    # each entry is the batch's status, as GET /v1/batches/{id} gives it
    for summary in got:
        status = (await env.client.get(f"/v1/batches/{summary['batch_id']}",
                                       headers=env.auth(GP[0]))).json()
        assert {k: summary[k] for k in status} == status
    assert await listed(env, GP[0], dataset=GP[1], limit=1, offset=1) == got[1:]
    assert await listed(env, GP[0], dataset=SCHOOL[1]) == []
    assert [b["batch_id"] for b in await listed(env, SCHOOL[0])] == [school.json()["batch_id"]]

    # the receipt is what the upload was answered with: rows and fields, never a value
    batch_id = bad.json()["batch_id"]
    r = await env.client.get(f"/v1/batches/{batch_id}/receipt", headers=env.auth(GP[0]))
    assert r.status_code == 200 and r.json() == bad.json()
    assert [(row["row"], sorted(e["field"] for e in row["errors"]))
            for row in r.json()["rejected"]] == [
        (1, ["postcode"]), (2, ["date_of_birth", "postcode"])]
    assert BAD_POSTCODE not in r.text and "1985-13-40" not in r.text
    # another partner's batch is not found, as one never made
    r = await env.client.get(f"/v1/batches/{batch_id}/receipt", headers=env.auth(SCHOOL[0]))
    assert r.status_code == 404

    # the status follows the slices' progress
    peer = await env.nats_env.bus("linker")
    try:
        await peer.publish(subjects.PROGRESS, m.BatchProgress(
            batch_id=events.json()["batch_id"], chunk=0, service="linker", processed=1),
            msg_id=uuid.uuid4().hex)
    finally:
        await peer.nc.close()

    async def complete():
        first = (await listed(env, GP[0]))[0]
        return first if first["status"] == "complete" else None

    assert (await eventually(complete))["processed"] == 1


async def test_batches_need_a_partner_and_the_ingest_scope(env):
    r = await env.client.get("/v1/batches", headers=env.auth(None))
    assert r.status_code == 403
    r = await env.client.get("/v1/batches", headers=env.auth(GP[0], scope=("read",)))
    assert r.status_code == 403 and "ingest" in r.json()["detail"]
    r = await env.client.get("/v1/batches/b_none/receipt", headers=env.auth(GP[0]))
    assert r.status_code == 404
    r = await env.client.get("/v1/batches", params={"limit": 0}, headers=env.auth(GP[0]))
    assert r.status_code == 422
