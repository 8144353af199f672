"""Fault scripts: every accepted record is stored exactly once through crashes and restarts.

Run apart from the fast suite:  make faults   (or pytest -m fault tests/faults)
TESSERA_FAULT_EVENTS sets the ingest size (default 100,000 events).
"""

from __future__ import annotations

import asyncio
import functools
import os
import random
import time
from datetime import date, timedelta

import httpx
import pytest

from deploy.cli import token_factory
from deploy.federation import Federation
from deploy.layout import Layout
from deploy.natsserver import free_port
from services.common.crypto import keyed_token
from services.common.settings import read_key
from services.common.subjects import SERVICES
from synthetic import generate_borough
from tests.support import eventually

pytestmark = pytest.mark.fault

EVENTS = int(os.environ.get("TESSERA_FAULT_EVENTS", "100000"))
CHUNK = 5000
PARTNER = DATASET = "gp-p81001"


def start(root, nats_nodes: int = 1) -> Federation:
    fed = Federation(Layout(root), ports={s: free_port() for s in SERVICES},
                     nats_port=free_port(), nats_monitor_port=None, environment="test",
                     nats_nodes=nats_nodes)
    fed.start()
    return fed


async def post(client, fed, tokens, kind, rows, key, deadline_s=180.0) -> dict:
    """POST until the gateway accepts, retrying with the same Idempotency-Key."""
    body = {"records" if kind != "events" else "events": rows}
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            r = await client.post(
                f"{fed.url('gateway')}/v1/datasets/{DATASET}/{kind}", json=body,
                headers={"Authorization": "Bearer " + tokens("gateway", partner=PARTNER,
                                                             scope=["ingest"]),
                         "Idempotency-Key": key})
            if r.status_code in (200, 202):
                return r.json()
            assert r.status_code >= 500, r.text
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"upload {key} never accepted")
        await asyncio.sleep(0.3)


def stored_event_tokens(fed) -> list[str]:
    con = fed.database("linker", timeout=30)
    try:
        return [t for (t,) in con.execute("SELECT event_token FROM events")]
    finally:
        con.close()


def identity_count(fed) -> int:
    con = fed.database("pseudonymiser", timeout=30)
    try:
        return con.execute("SELECT count(*) FROM identity_records").fetchone()[0]
    finally:
        con.close()


def workload(n_events: int):
    borough = generate_borough(3, 1800, date.today())
    gp = next(rows for partner, ds, kind, rows in borough.uploads()
              if ds == DATASET and kind == "identities")
    rng = random.Random(1)
    today = date.today()
    events = [{"local_id": gp[i % len(gp)]["local_id"], "code": f"GP{rng.randint(1, 8)}",
               "occurred_on": (today - timedelta(days=rng.randint(0, 400))).isoformat(),
               "event_id": f"ev-{i}"} for i in range(n_events)]
    return gp, events


async def wait_until_stored(fed, expected: set[str], timeout: float = 600.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        tokens = await asyncio.to_thread(stored_event_tokens, fed)
        if len(tokens) >= len(expected) or time.monotonic() > deadline:
            await asyncio.sleep(2)  # anything still in flight would show as an extra row
            return await asyncio.to_thread(stored_event_tokens, fed)
        await asyncio.sleep(1)


async def ingest_under_faults(fed, tokens, gp, events, name: str, faults) -> None:
    """The GP list, then the events in chunks; ``faults`` maps a chunk's index to what
    happens (in a thread) while it is sent. Every row must be accepted."""
    chunks = [events[i:i + CHUNK] for i in range(0, len(events), CHUNK)]
    accepted = 0
    async with httpx.AsyncClient(timeout=60) as client:
        reply = await post(client, fed, tokens, "identities", gp, f"{name}-identities")
        assert reply["accepted"] == len(gp)
        for index, chunk in enumerate(chunks):
            fault = faults(len(chunks)).get(index)
            task = asyncio.create_task(asyncio.to_thread(fault)) if fault else None
            reply = await post(client, fed, tokens, "events", chunk, f"{name}-events-{index}")
            assert reply["rejected"] == []
            accepted += reply["accepted"]
            if task:
                await task
    assert accepted == len(events)


async def assert_stored_once(fed, key: bytes, gp, events) -> None:
    expected = {keyed_token(key, PARTNER, DATASET, "event", e["event_id"], prefix="e_")
                for e in events}
    stored = await wait_until_stored(fed, expected)
    assert len(stored) == len(set(stored)), "duplicates stored"
    assert set(stored) == expected, (len(expected - set(stored)), len(set(stored) - expected))
    await eventually(lambda: identity_count(fed) >= len(gp), timeout=300, interval=1)
    await asyncio.sleep(2)
    assert identity_count(fed) == len(gp)


async def test_kill9_each_service_and_restart_nats_during_ingest(tmp_path):
    fed = await asyncio.to_thread(start, tmp_path)
    tokens = token_factory(fed.layout)
    key = read_key(fed.layout.key("gateway-hmac"))
    gp, events = workload(EVENTS)
    victims = ["gateway", "pseudonymiser", "linker", "scorer", "reidentify", "consent", "nats"]

    def plan(chunks: int) -> dict:
        """Chunk index -> the crash while that chunk is being sent."""
        step = max(1, (chunks - 2) // len(victims))
        return {1 + i * step: functools.partial(crash, fed, v) for i, v in enumerate(victims)}

    try:
        await ingest_under_faults(fed, tokens, gp, events, "faults", plan)
        await assert_stored_once(fed, key, gp, events)
    finally:
        await asyncio.to_thread(fed.stop)


def crash(fed: Federation, victim: str) -> None:
    time.sleep(0.05)  # land inside the request or the processing it triggers
    if victim == "nats":
        fed.restart_nats()
        return
    fed.kill(victim)
    time.sleep(0.5)
    fed.restart(victim)


async def test_database_locked_for_five_seconds_during_ingest(tmp_path):
    fed = await asyncio.to_thread(start, tmp_path)
    tokens = token_factory(fed.layout)
    key = read_key(fed.layout.key("gateway-hmac"))
    gp, events = workload(min(EVENTS, 20000))
    chunks = [events[i:i + CHUNK] for i in range(0, len(events), CHUNK)]

    def hold_lock(service: str) -> None:
        con = fed.database(service, readonly=False, timeout=30)
        con.execute("BEGIN EXCLUSIVE")
        time.sleep(5)
        con.rollback()
        con.close()

    try:
        async with httpx.AsyncClient(timeout=60) as client:
            await post(client, fed, tokens, "identities", gp, "lock-identities")
            locks = [asyncio.create_task(asyncio.to_thread(hold_lock, s))
                     for s in ("linker", "pseudonymiser")]
            for index, chunk in enumerate(chunks):
                await post(client, fed, tokens, "events", chunk, f"lock-events-{index}")
            await asyncio.gather(*locks)
        expected = {keyed_token(key, PARTNER, DATASET, "event", e["event_id"], prefix="e_")
                    for e in events}
        stored = await wait_until_stored(fed, expected)
        assert sorted(stored) == sorted(expected)
    finally:
        await asyncio.to_thread(fed.stop)


async def test_a_nats_node_killed_during_ingest_loses_nothing(tmp_path):
    """Three NATS nodes, every stream replicated three times; one node is killed -9 half
    way through and stays dead. Every accepted event is stored once."""
    fed = await asyncio.to_thread(start, tmp_path, 3)
    tokens = token_factory(fed.layout)
    key = read_key(fed.layout.key("gateway-hmac"))
    gp, events = workload(EVENTS)

    def kill_one_node() -> None:
        time.sleep(0.05)  # land inside the request
        fed.kill_node("nats-1")

    try:
        await ingest_under_faults(fed, tokens, gp, events, "cluster",
                                  lambda chunks: {chunks // 2: kill_one_node})
        assert len(fed.nodes) == 2
        await assert_stored_once(fed, key, gp, events)
    finally:
        await asyncio.to_thread(fed.stop)
