"""Sustained mixed load on the running federation: partner ingest and concurrent unlocks.

    PYTHONPATH=. .venv/bin/python -m benchmarks.load [--seconds 60] [--ingest-workers 4]
        [--unlock-workers 20] [--households 600]

Starts the whole federation on free ports in a temporary directory (real processes,
SQLite, JetStream), loads a synthetic borough so there is a cohort to unlock, then for
a fixed time drives event uploads (500-row batches, each with its own Idempotency-Key)
and unlocks side by side, and prints throughput and p50/p95/p99 per endpoint. Every loop
is bounded by the duration; only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import httpx

from deploy.cli import token_factory
from deploy.demo import DemoApi, upload, wait_batches
from deploy.federation import Federation
from deploy.layout import Layout
from deploy.natsserver import free_port
from services.common.subjects import SERVICES
from synthetic import generate_borough

DISTRICTS = ["OL1", "OL2", "OL4", "OL8", "OL9"]
CLEARANCE = {"roles": ["caseworker"], "districts": DISTRICTS,
             "purposes": ["early-help-triage"], "org": "load"}


def linker_events(fed) -> int:
    import sqlite3

    con = sqlite3.connect(f"file:{fed.layout.data / 'linker.db'}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        con.close()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def run(args) -> dict:
    root = Path(tempfile.mkdtemp(prefix="tessera-load-"))
    # it opens the databases with sqlite3: SQLCipher's cost is benchmarks/at_rest.py's
    fed = Federation(Layout(root), ports={s: free_port() for s in SERVICES},
                     nats_port=free_port(), nats_monitor_port=None, environment="test",
                     encrypt_at_rest=False,
                     extra_env={"reidentify": {
                         "TESSERA_REIDENTIFY_UNLOCK_RATE_PER_HOUR": "10000000"}})
    await asyncio.to_thread(fed.start)
    tokens = token_factory(fed.layout)
    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    rows_sent = 0
    try:
        borough = generate_borough(args.seed, args.households, date.today())
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        async with httpx.AsyncClient(timeout=60, limits=limits) as client:
            api = DemoApi(client, fed.url("gateway"), fed.url("scorer"), fed.url("reidentify"),
                          tokens)
            await wait_batches(api, await upload(api, borough, 5000, out=lambda s: None),
                               poll=0.5, timeout=600)
            cohort = []
            for _ in range(120):
                cohort = await api.cohort()
                if cohort:
                    break
                await asyncio.sleep(1)
            gp_set = borough.dataset("gp-p81001")
            # Opted-out people's events are dropped by design: keep them out of the load.
            opted = {r["local_id"] for r in gp_set.optouts}
            gp = [r for r in gp_set.identities if r["local_id"] not in opted]
            stop_at = time.monotonic() + args.seconds
            rng = random.Random(args.seed)

            async def ingest_worker(w: int) -> None:
                nonlocal rows_sent
                n = 0
                while time.monotonic() < stop_at:
                    rows = [{"local_id": rng.choice(gp)["local_id"], "code": f"GP{rng.randint(1, 8)}",
                             "occurred_on": (date.today() - timedelta(days=rng.randint(0, 300))
                                             ).isoformat(),
                             "event_id": f"load-{w}-{n}-{i}"} for i in range(500)]
                    n += 1
                    headers = {"Authorization": "Bearer " + tokens(
                        "gateway", partner="gp-p81001", scope=["ingest"]),
                        "Idempotency-Key": f"load-{w}-{n}"}
                    t0 = time.perf_counter()
                    r = await client.post(f"{fed.url('gateway')}/v1/datasets/gp-p81001/events",
                                          json={"events": rows}, headers=headers)
                    timings["POST /v1/datasets/{id}/events (500 rows)"].append(
                        time.perf_counter() - t0)
                    if r.status_code == 202:
                        rows_sent += 500
                    else:
                        errors["events"] += 1

            async def unlock_worker(w: int) -> None:
                headers = {"Authorization": "Bearer " + tokens("reidentify", subject=f"cw-{w}",
                                                               **CLEARANCE)}
                while time.monotonic() < stop_at:
                    target = rng.choice(cohort)["pseudonym"]
                    t0 = time.perf_counter()
                    r = await client.post(f"{fed.url('reidentify')}/v1/unlock", headers=headers,
                                          json={"pseudonym": target,
                                                "purpose": "early-help-triage",
                                                "justification": "Load test of the unlock path"})
                    timings["POST /v1/unlock"].append(time.perf_counter() - t0)
                    if r.status_code != 200:
                        errors["unlock"] += 1

            before = linker_events(fed)
            started = time.monotonic()
            await asyncio.gather(*(ingest_worker(i) for i in range(args.ingest_workers)),
                                 *(unlock_worker(i) for i in range(args.unlock_workers)))
            elapsed = time.monotonic() - started
            # How long until the linker has stored everything the gateway accepted.
            deadline = time.monotonic() + 300
            while linker_events(fed) < before + rows_sent and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.5)
            drained = time.monotonic() - started
            stored = linker_events(fed) - before
    finally:
        await asyncio.to_thread(fed.stop)
    report = {"seconds": round(elapsed, 1), "ingest_workers": args.ingest_workers,
              "unlock_workers": args.unlock_workers, "event_rows_accepted": rows_sent,
              "event_rows_per_s": round(rows_sent / elapsed),
              "event_rows_stored": stored,
              "stored_rows_per_s_end_to_end": round(stored / drained),
              "errors": dict(errors),
              "endpoints": {}}
    for name, values in timings.items():
        report["endpoints"][name] = {
            "requests": len(values), "per_s": round(len(values) / elapsed, 1),
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(pct(values, 0.95) * 1000, 1),
            "p99_ms": round(pct(values, 0.99) * 1000, 1)}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--ingest-workers", type=int, default=4)
    parser.add_argument("--unlock-workers", type=int, default=20)
    parser.add_argument("--households", type=int, default=600)
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()
    report = asyncio.run(run(args))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
