"""10,000 bad rows among good ones: every good row goes on, every bad row is reported
(row and field), and the reply stays bounded, fast and free of the values sent."""

from __future__ import annotations

import json
import time

import pytest_asyncio

from services.common import subjects
from tests.gateway.conftest import GP, running_gateway

GOOD, BAD = 10_000, 10_000
SENTINEL = "ZZSENTINEL"
HEADER = "local_id,given_name,family_name,date_of_birth,sex,postcode\n"
# (line template, the field its error must name)
BAD_KINDS = [
    ("{id},Ada,King,1985-13-45,F,OL1 1AA", "date_of_birth"),
    ("{id},Ada,King,1985-01-01,F,ZZSENTINEL", "postcode"),
    ("{id},,,1985-01-01,F,OL1 1AA", "given_name"),  # only one identifier left
    ("{id},Ada,King,1985-01-01,ZZSENTINEL,OL1 1AA", "sex"),
    ("{id},Ada,King", "row"),
    ("{id},Ada\x00ZZSENTINEL,King,1985-01-01,F,OL1 1AA", "given_name"),
    ("{id},Ada,King,2999-01-01,F,OL1 1AA", "date_of_birth"),
]


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def big(nats_env, tmp_path_factory):
    async with running_gateway(nats_env, tmp_path_factory.mktemp("gateway-big"),
                               chunk_rows=500, max_rows=50_000,
                               max_body_bytes=20 * 1024 * 1024) as env:
        yield env


def upload() -> tuple[str, dict[int, str], set[str]]:
    lines, expected, good_ids = [], {}, set()
    for i in range(GOOD + BAD):
        local_id = f"BULK-{i:06d}"
        if i % 2:
            template, field = BAD_KINDS[(i // 2) % len(BAD_KINDS)]
            lines.append(template.format(id=local_id))
            expected[i] = field
        else:
            lines.append(f"{local_id},Grace,Hopper,1990-02-03,M,OL4 2JT")
            good_ids.add(local_id)
    return HEADER + "\n".join(lines) + "\n", expected, good_ids


async def test_ten_thousand_bad_rows_among_good_ones(big):
    csv, expected, good_ids = upload()
    started = time.monotonic()
    r = await big.post(*GP, "identities", csv=csv)
    elapsed = time.monotonic() - started
    assert r.status_code == 202, r.text[:500]
    reply = r.json()
    assert reply["accepted"] == GOOD
    got = {e["row"]: [x["field"] for x in e["errors"]] for e in reply["rejected"]}
    assert {row: fields[0] for row, fields in got.items()} == expected
    assert all(len(fields) == 1 for fields in got.values())
    # Bounded: a row index and a fixed message per bad row, nothing more.
    assert len(r.content) < BAD * 120, len(r.content)
    assert SENTINEL not in r.text and "BULK-" not in r.text and "\\u0000" not in r.text
    assert elapsed < 15, elapsed
    published = await big.read(subjects.IDENTITY, "pseudonymiser", want=GOOD // 500,
                               timeout=10)
    ids = [row.local_id for _, _, msg in published if msg.batch_id == reply["batch_id"]
           for row in msg.rows]
    assert len(ids) == GOOD and set(ids) == good_ids
    # The receipt the partner polls agrees, and a replay with the key returns the same.
    status = await big.client.get(f"/v1/batches/{reply['batch_id']}", headers=big.auth())
    assert (status.json()["accepted"], status.json()["rejected"]) == (GOOD, BAD)


async def test_json_bad_rows_among_good_ones(big):
    records = []
    for i in range(4000):
        row = {"local_id": f"JB-{i:05d}", "code": "GP1", "occurred_on": "2026-01-01"}
        if i % 4 == 1:
            row["code"] = SENTINEL
        elif i % 4 == 3:
            row["roles"] = ["admin"]
        records.append(row)
    started = time.monotonic()
    r = await big.post(*GP, "events", {"events": records})
    assert time.monotonic() - started < 10
    assert r.status_code == 202
    reply = r.json()
    assert reply["accepted"] == 2000
    fields = {e["row"]: e["errors"][0]["field"] for e in reply["rejected"]}
    assert fields == {i: ("code" if i % 4 == 1 else "roles") for i in range(4000) if i % 2}
    assert SENTINEL not in r.text and "admin" not in json.dumps(reply["rejected"])
    published = await big.read(subjects.EVENTS, "linker", want=4, timeout=10)
    assert sum(len(msg.events) for _, _, msg in published
               if msg.batch_id == reply["batch_id"]) == 2000
