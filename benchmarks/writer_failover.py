"""What a linkage writer's failover costs, with N records held.

    PYTHONPATH=. .venv/bin/python -m benchmarks.writer_failover --records 100000 [--kills 3]

Starts nats-server, bulk-loads N synthetic person-level records into the pseudonymiser's
SQLite database (one person each, as benchmarks.linkage_speed does), starts two
pseudonymiser replicas on it and kills the writer -9, then the next, `--kills` times
(the killed one restarted as the standby each time, and with `STANDBY_INDEX`, the
default, given time to load its index). For each kill it prints the seconds from the
kill until the standby reported itself the writer, and of those the index's catch-up
(or, with `--no-standby-index`, its rebuild) and the whole promotion (fence, model,
index, start) from the new writer's log; the rest is the lease's time to live running
out on the standby's clock.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.linkage_speed import bulk_load, identities, record_objects, say
from deploy.federation import REPO, Federation
from deploy.layout import Layout
from deploy.natsserver import free_port
from services.common.settings import read_key
from services.common.subjects import SERVICES

TERM = re.compile(r"index of (\d+) held records (rebuilt|caught up \([^)]*\)) in ([\d.]+) s, "
                  r"writing ([\d.]+) s")


def start(fed: Federation, name: str, port: int, standby_index: bool) -> subprocess.Popen:
    env = {**fed._env("pseudonymiser"), "TESSERA_PSEUDONYMISER_PORT": str(port),
           "TESSERA_PSEUDONYMISER_REPLICA": name,
           "TESSERA_PSEUDONYMISER_STANDBY_INDEX": str(standby_index).lower(),
           "TESSERA_PSEUDONYMISER_LEARN_AUTO": "false"}
    with open(fed.layout.logs / f"pseudonymiser-{name}.log", "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "services.pseudonymiser", "serve"],
                                env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def readiness(port: int) -> dict:
    try:
        r = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
    except httpx.HTTPError:
        return {}
    return r.json() if r.status_code == 200 else {}


def role(port: int) -> str | None:
    return readiness(port).get("role")


def wait_following(port: int, timeout: float = 1800) -> None:
    start = time.monotonic()
    while readiness(port).get("index") != "following":
        if time.monotonic() - start > timeout:
            raise SystemExit(f"the standby on port {port} has no index after {timeout} s")
        time.sleep(0.1)


def wait_role(port: int, wanted: str, timeout: float = 1800) -> float:
    start = time.monotonic()
    while role(port) != wanted:
        if time.monotonic() - start > timeout:
            raise SystemExit(f"no {wanted} on port {port} after {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - start


def terms(log: Path) -> list[tuple[str, str, str, str]]:
    return TERM.findall(log.read_text()) if log.exists() else []


def next_term(log: Path, before: int) -> tuple[int, str, float, float]:
    """The term line after the `before` first (written a moment after the role shows)."""
    while len(found := terms(log)) <= before:
        time.sleep(0.05)
    held, how, index_s, ready = found[before]
    return int(held), how, float(index_s), float(ready)


def run(records: int, kills: int, root: Path, standby_index: bool) -> dict:
    fed = Federation(Layout(root), ports={s: free_port() for s in SERVICES},
                     nats_port=free_port(), environment="test", encrypt_at_rest=False)
    fed.prepare()
    fed.start_nats()
    procs: dict[str, subprocess.Popen] = {}
    try:
        fed.migrate("pseudonymiser")
        say(f"generating and loading {records} records")
        held, _ = identities(records, 0, 7, {})
        import asyncio

        asyncio.run(bulk_load(fed.layout.database_url("pseudonymiser"),
                              record_objects(held, read_key(fed.layout.key("gateway-hmac"))),
                              read_key(fed.layout.key("pseudonym-person"))))
        ports = {"a": free_port(), "b": free_port()}
        procs["a"] = start(fed, "a", ports["a"], standby_index)
        first_start = wait_role(ports["a"], "writer")
        say(f"replica a writing after {first_start:.1f} s")
        procs["b"] = start(fed, "b", ports["b"], standby_index)
        wait_role(ports["b"], "standby")
        if standby_index:
            wait_following(ports["b"])
        out = {"records": records, "standby_index": standby_index,
               "first_start_s": round(first_start, 2), "kills": []}
        writer, standby = "a", "b"
        for _ in range(kills):
            time.sleep(3)  # a few renewals first
            log = fed.layout.logs / f"pseudonymiser-{standby}.log"
            before = len(terms(log))
            procs[writer].kill()
            procs[writer].wait()
            killed = time.monotonic()
            wait_role(ports[standby], "writer")
            failover = time.monotonic() - killed
            held_now, how, index_s, ready = next_term(log, before)
            out["kills"].append({"failover_s": round(failover, 2), "index": how,
                                 "index_s": index_s, "promotion_s": ready, "held": held_now})
            say(f"kill -9 of {writer}: {standby} writing {failover:.2f} s later "
                f"(index {how} in {index_s:.2f} s, promotion {ready:.2f} s)")
            procs[writer] = start(fed, writer, ports[writer], standby_index)
            wait_role(ports[writer], "standby")
            if standby_index:  # its index loaded before it may be elected
                wait_following(ports[writer])
            writer, standby = standby, writer
        return out
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
        fed.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="keep the state here")
    parser.add_argument("--no-standby-index", dest="standby_index", action="store_false",
                        help="standbys keep no index: the one elected rebuilds it")
    args = parser.parse_args(argv)
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        report = run(args.records, args.kills, args.dir, args.standby_index)
    else:
        with tempfile.TemporaryDirectory(prefix="tessera-failover-") as tmp:
            report = run(args.records, args.kills, Path(tmp), args.standby_index)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
