"""Fault script: two processes of every slice, behind HAProxy, under mixed
load (events pushed through the gateway, unlocks through reidentify); one process of
each slice is killed -9 in turn, then started again. Every accepted event is stored
once, and no unlock fails after the client's one retry. Prints each failover.

Run apart from the fast suite:  make faults   (or pytest -m fault tests/faults)
TESSERA_FAULT_REPLICA_EVENTS sets the events pushed during the faults (default 30,000).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx
import pytest

from services.common.crypto import keyed_token
from services.common.settings import read_key
from synthetic import generate_borough
from tests.e2e.conftest import federation_with_borough
from tests.e2e.test_federation import PURPOSE, settled_cohort
from tests.faults.test_durability import CHUNK, DATASET, PARTNER, post, stored_event_tokens

pytestmark = pytest.mark.fault

EVENTS = int(os.environ.get("TESSERA_FAULT_REPLICA_EVENTS", "30000"))
# the pseudonymiser's second process is a standby (its writer's kill -9:
# test_writer_failover.py and tests/deploy/test_balancer.py)
VICTIMS = ("gateway", "pseudonymiser", "linker", "scorer", "reidentify", "consent")
CALLERS = 6  # unlocking at once, all the way through
CLEARANCE = {"roles": ["caseworker"], "districts": ["OL1", "OL2", "OL4", "OL8", "OL9"],
             "purposes": [PURPOSE], "org": "oldham-early-help"}


@dataclass
class Unlocks:
    """Every unlock's outcome: first tries that failed (and when), and failures after
    the one retry."""

    done: int = 0
    first_try_failed: list[float] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


async def unlock_once(client, url, token, pseudonym) -> httpx.Response | None:
    try:
        return await client.post(f"{url}/v1/unlock", headers={
            "Authorization": f"Bearer {token}"}, json={
            "pseudonym": pseudonym, "purpose": PURPOSE,
            "justification": "Fault test: unlock while a replica is killed"})
    except httpx.HTTPError:
        return None


async def caller(run, n: int, flagged: list[str], stop: asyncio.Event, out: Unlocks) -> None:
    """Unlocks one after another, each retried once (an unlock is a new attempt, logged
    as such) when it fails for want of a server."""
    url = run.url("reidentify")
    token = run.token("reidentify", subject=f"cw-fault-{n}", lifetime_s=900, **CLEARANCE)
    async with httpx.AsyncClient(timeout=30) as client:
        i = n
        while not stop.is_set():
            pseudonym = flagged[i % len(flagged)]
            i += CALLERS
            r = await unlock_once(client, url, token, pseudonym)
            if r is None or r.status_code >= 500:
                out.first_try_failed.append(time.monotonic())
                r = await unlock_once(client, url, token, pseudonym)
            if r is None or r.status_code != 200:
                out.failed.append("no answer" if r is None else f"{r.status_code} {r.text}")
            out.done += 1


def fault_people() -> list[dict]:
    """GP identities of people of their own (local ids no borough row has): nobody opted
    out, so every event of theirs is stored."""
    borough = generate_borough(3, 300, date.today())
    rows = next(rows for partner, ds, kind, rows in borough.uploads()
                if ds == DATASET and kind == "identities")
    return [{**row, "local_id": f"fault-{row['local_id']}"} for row in rows]


def fault_events(n: int, gp: list[dict]) -> list[dict]:
    rng = random.Random(3)
    today = date.today()
    return [{"local_id": gp[i % len(gp)]["local_id"], "code": f"GP{rng.randint(1, 8)}",
             "occurred_on": (today - timedelta(days=rng.randint(0, 400))).isoformat(),
             "event_id": f"fault-ev-{i}"} for i in range(n)]


async def test_kill9_one_replica_of_each_slice_under_mixed_load(tmp_path):
    async with federation_with_borough(tmp_path, households=120, replicas=2,
                                       unlock_rate=1_000_000) as run:
        fed = run.fed
        flagged = [r["pseudonym"] for r in await settled_cohort(
            run, CLEARANCE, len(run.borough.truth.flagged()))]
        assert flagged
        gp = fault_people()
        events = fault_events(EVENTS, gp)
        key = read_key(fed.layout.key("gateway-hmac"))
        async with httpx.AsyncClient(timeout=120) as client:
            reply = await post(client, fed, run.tokens, "identities", gp,
                               "replica-fault-identities")
            assert reply["accepted"] == len(gp)
        before = await asyncio.to_thread(stored_event_tokens, fed)

        stop, unlocks = asyncio.Event(), Unlocks()
        callers = [asyncio.create_task(caller(run, n, flagged, stop, unlocks))
                   for n in range(CALLERS)]
        chunks = [events[i:i + CHUNK] for i in range(0, len(events), CHUNK)]
        accepted = 0
        kills: list[tuple[str, float]] = []

        async def ingest() -> None:
            nonlocal accepted
            async with httpx.AsyncClient(timeout=120) as client:
                for index, chunk in enumerate(chunks):
                    reply = await post(client, fed, run.tokens, "events", chunk,
                                       f"replica-fault-{index}")
                    assert reply["rejected"] == []
                    accepted += reply["accepted"]

        async def faults() -> None:
            for victim in VICTIMS:
                await asyncio.sleep(2.0)
                instance = f"{victim}-2"
                kills.append((instance, time.monotonic()))
                await asyncio.to_thread(fed.kill, instance)
                await asyncio.sleep(2.0)
                await asyncio.to_thread(fed.restart, instance)

        try:
            await asyncio.gather(ingest(), faults())
        finally:
            stop.set()
            await asyncio.gather(*callers)

        assert accepted == len(events)
        expected = {keyed_token(key, PARTNER, DATASET, "event", e["event_id"], prefix="e_")
                    for e in events}
        deadline = time.monotonic() + 600
        while True:
            stored = await asyncio.to_thread(stored_event_tokens, fed)
            if len(stored) >= len(before) + len(expected) or time.monotonic() > deadline:
                await asyncio.sleep(2)  # anything still in flight would show as an extra row
                stored = await asyncio.to_thread(stored_event_tokens, fed)
                break
            await asyncio.sleep(1)
        assert len(stored) == len(set(stored)), "duplicates stored"
        assert set(stored) == set(before) | expected, (
            len(expected - set(stored)), len(set(stored) - set(before) - expected))

        print(f"\n{unlocks.done} unlocks by {CALLERS} callers, "
              f"{len(unlocks.first_try_failed)} first tries failed, "
              f"{len(unlocks.failed)} failed after one retry; {accepted} events accepted, "
              f"{len(expected)} stored once")
        for instance, at in kills:
            after = [t - at for t in unlocks.first_try_failed if 0 <= t - at < 4.0]
            failover = max(after) if after else 0.0
            print(f"  kill -9 {instance}: unlocks failing on a first try for "
                  f"{failover * 1000:.0f} ms ({len(after)} of them)")
        assert unlocks.failed == []
