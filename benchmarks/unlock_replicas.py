"""Unlock latency over two reidentify replicas behind HAProxy, one killed mid-run.

Starts the federation as `tessera run --replicas 2` does (deploy.federation.Federation:
two processes of every slice, HAProxy on the usual ports) in a
temporary directory, pushes a small synthetic borough through the gateway, waits for the
cohort, then drives POST /v1/unlock through the balancer with N concurrent callers (each
its own keep-alive connection and clearance token). Half way through the timed unlocks
one reidentify process is killed -9. A caller retries an unlock once when it gets no
answer or a 5xx (an unlock is a new attempt each time, logged as such); the latency of
an unlock is what its caller waited, retry included. Prints median, p99, throughput,
unlocks that failed on the first try and after the retry, and how long after the kill
first tries kept failing. Figures go to docs/benchmarks.md by hand.

Back to back (the default), N callers measure the most the replicas can answer: each
caller's next unlock waits for its last, so p99 is bounded below by N times the CPU an
unlock costs divided by the cores. With `--pace S`, each caller sends one unlock every S
seconds on a schedule (starts spread over the first S seconds; a caller running behind
sends at once), as caseworkers at their desks do: N/S unlocks a second offered, and the
latency is what each waited at that load.

    .venv/bin/python -m benchmarks.unlock_replicas --callers 100 --unlocks 4000
    .venv/bin/python -m benchmarks.unlock_replicas --callers 100 --unlocks 4000 --pace 0.5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.unlock_latency import JUSTIFICATION, RawClient, flagged, percentile, show_logs
from deploy.demo import PURPOSE
from deploy.federation import Federation
from deploy.layout import Layout
from deploy.natsserver import free_port
from services.common.subjects import SERVICES

VICTIM = "reidentify-2"


def federation(root: Path) -> Federation:
    extra = {s: {} for s in SERVICES}
    extra["reidentify"] = {"TESSERA_REIDENTIFY_UNLOCK_RATE_PER_HOUR": "1000000",
                           "TESSERA_REIDENTIFY_LOG_LEVEL": "WARNING"}
    return Federation(Layout(root), ports={s: free_port() for s in SERVICES},
                      nats_port=free_port(), nats_monitor_port=None, environment="test",
                      extra_env=extra, replicas=2)


async def attempt(client: RawClient, body: dict) -> int | None:
    """One try: the status, or None when the connection gave no answer."""
    try:
        status, _ = await client.post("/v1/unlock", body)
        return status
    except (OSError, IndexError, ValueError, asyncio.IncompleteReadError):
        await client.close()
        client.writer = None  # the next try opens a new connection
        return None


async def drive(fed: Federation, tokens: list[str], pseudonyms: list[str], total: int,
                warmup: int, pace: float = 0.0) -> dict:
    latencies: list[float] = []
    first_failed: list[float] = []
    failed: dict[str, int] = {}
    issued = 0
    killed_at: float | None = None

    async def caller(i: int, token: str) -> None:
        nonlocal issued, killed_at
        client = RawClient(fed.url("reidentify"), {"Authorization": f"Bearer {token}"})
        due = time.monotonic() + pace * i / len(tokens)
        try:
            while issued < warmup + total:
                if pace:
                    await asyncio.sleep(max(0.0, due - time.monotonic()))
                    due += pace
                n = issued
                issued += 1
                if n == warmup + total // 2 and killed_at is None:
                    killed_at = time.monotonic()
                    fed.kill(VICTIM)  # kill -9, between two unlocks of this caller
                body = {"pseudonym": pseudonyms[n % len(pseudonyms)], "purpose": PURPOSE,
                        "justification": JUSTIFICATION}
                t0 = time.perf_counter()
                status = await attempt(client, body)
                if status is None or status >= 500:
                    first_failed.append(time.monotonic())
                    status = await attempt(client, body)
                elapsed = (time.perf_counter() - t0) * 1000
                if n >= warmup:
                    latencies.append(elapsed)
                    if status != 200:
                        key = str(status)
                        failed[key] = failed.get(key, 0) + 1
        finally:
            await client.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(caller(i, t) for i, t in enumerate(tokens)))
    wall = time.perf_counter() - t0
    after = [t - killed_at for t in first_failed if killed_at and t >= killed_at]
    ms = sorted(latencies)
    return {"unlocks": len(ms), "median_ms": statistics.median(ms),
            "p99_ms": percentile(ms, 99), "max_ms": ms[-1],
            "throughput_per_s": len(ms) / wall if wall else 0.0,
            "first_try_failed": len(first_failed), "failed_after_retry": failed,
            "first_tries_failing_for_ms": max(after) * 1000 if after else 0.0}


async def run(args) -> dict:
    with tempfile.TemporaryDirectory(prefix="tessera-bench-") as tmp:
        fed = federation(Path(tmp))
        fed.prepare()
        fed.start_nats()
        try:
            pseudonyms, tokens = await flagged(fed, args)
            result = await drive(fed, tokens, pseudonyms, args.unlocks, args.warmup,
                                 args.pace)
        except BaseException:
            show_logs(fed.layout.logs)
            raise
        finally:
            await asyncio.to_thread(fed.stop)
    return {**result, "callers": args.callers, "pace_s": args.pace,
            "offered_per_s": args.callers / args.pace if args.pace else None,
            "replicas": 2, "killed": VICTIM,
            "cohort": len(pseudonyms), "cpus": os.cpu_count(),
            "date": date.today().isoformat()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--callers", type=int, default=100)
    parser.add_argument("--unlocks", type=int, default=4000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--households", type=int, default=250)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--pace", type=float, default=0.0, metavar="S",
                        help="each caller sends one unlock every S seconds (default: back "
                             "to back)")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    print(json.dumps(result, indent=2))
    paced = f" each every {args.pace} s" if args.pace else " back to back"
    print(f"{result['callers']} callers{paced} over 2 reidentify replicas, {VICTIM} killed -9 half "
          f"way: median {result['median_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
          f"{result['throughput_per_s']:.0f} unlocks/s; {result['first_try_failed']} "
          f"first tries failed (for {result['first_tries_failing_for_ms']:.0f} ms after "
          f"the kill), failed after one retry: {result['failed_after_retry'] or 0}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
