"""Unlock latency through the running federation.

Starts every service as a real process (deploy.federation.Federation) on free
ports in a temporary directory, pushes a small synthetic borough through the
gateway, waits for the cohort, then drives POST /v1/unlock with N concurrent
callers (each its own httpx client and clearance token) for a fixed number of
unlocks. Each unlock covers the token check, the policy, the NATS request to
the pseudonymiser and the hash-chained log append. Prints median, p95, p99 and
throughput; --update-docs writes them into docs/benchmarks.md.

    .venv/bin/python -m benchmarks.unlock_latency --callers 50 --unlocks 2000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from deploy.cli import token_factory
from deploy.demo import DISTRICTS, PURPOSE, RULE_ID, DemoApi, upload, wait_batches
from deploy.federation import REPO, Federation
from deploy.layout import Layout
from deploy.natsserver import free_port
from services.common.subjects import SERVICES
from synthetic import generate_borough

DOCS = REPO / "docs" / "benchmarks.md"
START, END = "<!-- unlock-latency:start -->", "<!-- unlock-latency:end -->"
JUSTIFICATION = "Benchmark: early help triage of a flagged synthetic person"


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, int(round(p / 100 * len(sorted_ms) + 0.5)))
    return sorted_ms[min(rank, len(sorted_ms)) - 1]


class RawClient:
    """A minimal HTTP/1.1 keep-alive client for the timed unlocks. The load generator
    shares the machine's cores with the federation, and httpx spends about as much CPU
    per request as the service does: with it the benchmark partly measures itself."""

    def __init__(self, url: str, headers: dict[str, str]):
        parsed = urlsplit(url)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: dict) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        data = json.dumps(body).encode()
        self.writer.write((f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n"
                           f"Content-Type: application/json\r\n"
                           f"Content-Length: {len(data)}\r\n{self.extra}\r\n").encode() + data)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()


class HttpxClient:
    """The same interface over httpx (``--client httpx``, as earlier runs measured)."""

    def __init__(self, url: str, headers: dict[str, str]):
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        self.client = httpx.AsyncClient(base_url=url, headers=headers, timeout=30,
                                        limits=limits)

    async def post(self, path: str, body: dict) -> tuple[int, bytes]:
        r = await self.client.post(path, json=body)
        return r.status_code, r.content

    async def close(self) -> None:
        await self.client.aclose()


CLIENTS = {"raw": RawClient, "httpx": HttpxClient}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_seconds() -> tuple[float, float]:
    """(busy, steal): CPU seconds every process on the machine has used, and those the
    hypervisor took from this machine (Linux /proc/stat; 0 elsewhere)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    steal = fields[7] if len(fields) > 7 else 0
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields[:8]) - idle - steal) / tick, steal / tick


def cpu_snapshot(fed: Federation) -> dict[str, float]:
    procs = {name: proc.pid for name, proc in fed.procs.items()}
    procs["nats-server"] = fed.nats.pid
    procs["load generator"] = os.getpid()
    return {name: cpu_seconds(pid) for name, pid in procs.items()}


def federation(root: Path, encrypted: bool = True) -> Federation:
    extra = {s: {} for s in SERVICES}
    extra["reidentify"] = {
        "TESSERA_REIDENTIFY_UNLOCK_RATE_PER_HOUR": "1000000",
        "TESSERA_REIDENTIFY_LOG_SIGNING_KEY_PATH": str(root / "keys" / "log-signing.pem"),
        "TESSERA_REIDENTIFY_SIGNED_HEADS_PATH": str(root / "exports" / "heads.jsonl"),
        "TESSERA_REIDENTIFY_LOG_LEVEL": "WARNING",
    }
    return Federation(Layout(root), ports={s: free_port() for s in SERVICES},
                      nats_port=free_port(), nats_monitor_port=None, environment="test",
                      extra_env=extra, encrypt_at_rest=encrypted)


async def wait_cohort(api: DemoApi, timeout: float, stable: int = 3) -> list[dict]:
    loop = asyncio.get_running_loop()
    deadline, last, same = loop.time() + timeout, -1, 0
    while True:
        rows = await api.cohort()
        same = same + 1 if len(rows) == last and rows else 0
        last = len(rows)
        if same >= stable or (loop.time() > deadline and rows):
            return rows
        if loop.time() > deadline:
            raise RuntimeError("no cohort in time")
        await asyncio.sleep(1.0)


async def drive(url: str, tokens: list[str], pseudonyms: list[str], total: int,
                warmup: int, rate: float | None = None, client_kind: str = "raw",
                ) -> tuple[list[float], dict[int, int], float]:
    """`total` unlocks (after `warmup` uncounted ones) by len(tokens) concurrent callers.

    Without `rate` each caller sends its next unlock as soon as the last is answered
    (closed loop: the service's saturation); with `rate` the callers together offer
    that many unlocks per second, each on its own schedule (open loop)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    issued = 0
    measuring = asyncio.Event()

    async def caller(i: int, token: str) -> None:
        nonlocal issued
        headers = {"Authorization": f"Bearer {token}"}
        interval = len(tokens) / rate if rate else 0.0
        loop = asyncio.get_running_loop()
        due = loop.time() + interval * i / len(tokens)
        client = CLIENTS[client_kind](url, headers)
        try:
            while issued < warmup + total:
                if interval:
                    await asyncio.sleep(max(0.0, due - loop.time()))
                    due += interval
                    if issued >= warmup + total:
                        break
                n = issued
                issued += 1
                body = {"pseudonym": pseudonyms[n % len(pseudonyms)], "purpose": PURPOSE,
                        "justification": JUSTIFICATION}
                t0 = time.perf_counter()
                status, _ = await client.post("/v1/unlock", body)
                elapsed = (time.perf_counter() - t0) * 1000
                if n >= warmup:
                    measuring.set()
                    latencies.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1
        finally:
            await client.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(caller(i, t) for i, t in enumerate(tokens)))
    wall = time.perf_counter() - t0
    return latencies, statuses, wall


async def flagged(fed: Federation, args) -> tuple[list[str], list[str]]:
    """Start the services, push the borough through, wait for its cohort: (flagged
    pseudonyms, a clearance token for each caller)."""
    await asyncio.to_thread(fed.start_services)
    tokens_for = token_factory(fed.layout)
    borough = generate_borough(args.seed, args.households, date.today())
    async with httpx.AsyncClient(timeout=60) as client:
        api = DemoApi(client, fed.url("gateway"), fed.url("scorer"),
                      fed.url("reidentify"), tokens_for)
        batches = await upload(api, borough, 2000, out=lambda line: None)
        await wait_batches(api, batches, poll=0.3, timeout=300)
        cohort = await wait_cohort(api, timeout=120)
    tokens = [tokens_for("reidentify", subject=f"bench-{i}", lifetime_s=900,
                         roles=["caseworker"], districts=list(DISTRICTS),
                         purposes=[PURPOSE], org="benchmark")
              for i in range(args.callers)]
    gc.collect()  # the borough and the upload are not rescanned while timing
    gc.freeze()
    return [row["pseudonym"] for row in cohort], tokens


async def run(args) -> dict:
    with tempfile.TemporaryDirectory(prefix="tessera-bench-") as tmp:
        fed = federation(Path(tmp), not args.plain_at_rest)
        fed.prepare()
        fed.start_nats()
        try:
            pseudonyms, tokens = await flagged(fed, args)
            load_before = os.getloadavg()[0]
            (busy_before, steal_before), cpu_before = machine_seconds(), cpu_snapshot(fed)
            latencies, statuses, wall = await drive(
                fed.url("reidentify"), tokens, pseudonyms, args.unlocks, args.warmup,
                args.rate, args.client)
            cpu_after, (busy_after, steal_after) = cpu_snapshot(fed), machine_seconds()
            load_after = os.getloadavg()[0]
        except BaseException:
            show_logs(fed.layout.logs)
            raise
        finally:
            await asyncio.to_thread(fed.stop)
    ms = sorted(latencies)
    total = len(ms)
    return {
        "callers": args.callers, "client": args.client, "unlocks": total, "households": args.households,
        "cohort": len(pseudonyms), "statuses": statuses, "rate": args.rate,
        "median_ms": statistics.median(ms), "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99), "max_ms": ms[-1],
        "throughput_per_s": total / wall if wall else 0.0,
        "cpu_ms_per_unlock": {
            name: (cpu_after[name] - cpu_before[name]) * 1000 / max(1, total + args.warmup)
            for name in cpu_after if cpu_after[name] - cpu_before[name] > 0},
        "cpus": os.cpu_count(), "python": platform.python_version(),
        # the machine's 1-minute load average before and after the timed unlocks: the
        # load generator and the federation share the cores with whatever else runs
        "load_avg": (load_before, load_after),
        # CPU the rest of the machine used meanwhile, in cores (what the run competed with)
        "other_cores": max(0.0, (busy_after - busy_before) - sum(
            cpu_after[n] - cpu_before[n] for n in cpu_after)) / wall if wall else 0.0,
        # CPU the hypervisor took from this machine meanwhile, in cores
        "steal_cores": (steal_after - steal_before) / wall if wall else 0.0,
        "date": date.today().isoformat(), "rule": RULE_ID,
    }


def show_logs(directory: Path, lines: int = 15) -> None:
    for log in sorted(directory.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        print(f"--- {log.name}", *tail, sep="\n", file=sys.stderr)


HEADER = ["| date | CPUs | callers | load | unlocks | median | p95 | p99 | max "
          "| throughput | statuses |", "|---|---|---|---|---|---|---|---|---|---|---|"]


def row(r: dict) -> str:
    load = f"{r['rate']:.0f}/s offered" if r["rate"] else "closed loop"
    load += f", {r.get('client', 'httpx')} client"
    if r.get("load_avg"):
        load += ", load avg {:.1f}-{:.1f}".format(*r["load_avg"])
    if r.get("other_cores") is not None:
        load += f", others {r['other_cores']:.1f} cores"
    if r.get("steal_cores"):
        load += f", steal {r['steal_cores']:.2f} cores"
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))
    return (f"| {r['date']} | {r['cpus']} | {r['callers']} | {load} | {r['unlocks']} | "
            f"{r['median_ms']:.1f} ms | {r['p95_ms']:.1f} ms | {r['p99_ms']:.1f} ms | "
            f"{r['max_ms']:.1f} ms | {r['throughput_per_s']:.0f}/s | {statuses} |")


def update_docs(line: str, path: Path = DOCS) -> None:
    """Add a result row to the table between the markers (kept across runs)."""
    text = path.read_text()
    if START not in text or END not in text:
        text = text.rstrip() + f"\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    body, tail = rest.split(END, 1)
    rows = [r for r in body.strip().splitlines() if r.startswith("| 2")]
    block = "\n".join([START, *HEADER, *rows, line, END])
    path.write_text(head + block + tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--callers", type=int, default=50)
    parser.add_argument("--unlocks", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--households", type=int, default=250)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rate", type=float, default=None,
                        help="offered unlocks per second (open loop); default: closed loop")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="raw",
                        help="the load generator's HTTP client (raw: minimal keep-alive)")
    parser.add_argument("--plain-at-rest", action="store_true",
                        help="SQLite and JetStream unencrypted (the comparison for "
                             "benchmarks/at_rest.py's figures)")
    parser.add_argument("--update-docs", action="store_true")
    args = parser.parse_args(argv)
    try:  # the load generator's own overhead, as small as it can be made
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass
    result = asyncio.run(run(args))
    line = row(result)
    print(*HEADER, line, sep="\n")
    print("CPU per unlock:", ", ".join(
        f"{name} {ms:.2f} ms" for name, ms in sorted(result["cpu_ms_per_unlock"].items(),
                                                    key=lambda kv: -kv[1])))
    if args.update_docs:
        update_docs(line)
    target = result["p99_ms"] < 50
    print(f"p99 target (< 50 ms): {'met' if target else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
