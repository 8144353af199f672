"""Scoring speed: full re-score of N persons / M events, incremental re-score of one profile.

    .venv/bin/python -m benchmarks.scoring [--persons 1000000] [--events 10000000] [--workers 2]
        [--mode core|service|all]

Three measures:

- incremental: Scorer.profiles for one changed profile end to end against a migrated
  SQLite database (write lock, reads, evaluation, write, commit).
- core (`--mode core`): the scorer's evaluation core (rules.Compiled, the code the
  profile handler runs) over every profile of the person rule, split over `workers`
  processes, profiles held as flat arrays. A lower bound, not the command.
- service (`--mode service`): the documented command, `python -m services.scorer
  rescore --wait`, against the real linker and scorer processes (SQLite, JetStream): the
  linker exports every profile in columnar chunks (one grouped query per chunk, in
  pseudonym order) and the scorer evaluates each chunk with the vectorised core, writes
  what changed and publishes the flag changes. Timed from the command until the scorer
  has applied every chunk; run twice (the first run inserts every evaluation and raises
  every flag, the second, a true re-score, finds nothing changed). The split (export:
  database, encoding, publishing; scorer: reading, evaluating, writing) is taken from the
  services' own log lines. Peak memory is each service process's high-water resident
  set (VmHWM).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import random
import resource
import statistics
import tempfile
import time
from array import array
from datetime import date, timedelta
from pathlib import Path

import yaml

from services.common import messages as m
from services.common.db import build_engine, build_sessionmaker, run_migrations
from services.scorer import repository as repo
from services.scorer.rules import Compiled, RuleDocument, holds, next_change, score, window_start
from services.scorer.service import Scorer

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 6, 15)
_STATE: dict = {}


def registry() -> dict[tuple[str, str], tuple[str, str | None]]:
    """(dataset, code) -> (category, headline), as the scorer keys them."""
    data = yaml.safe_load((ROOT / "deploy" / "config" / "registry.yaml").read_text())
    return {(ds["id"], code): (c["category"], c.get("headline"))
            for ds in data["datasets"] for code, c in ds["codes"].items()}


def rule() -> RuleDocument:
    path = ROOT / "services" / "scorer" / "rules" / "oldham-gp-pilot.yaml"
    return RuleDocument.model_validate(yaml.safe_load(path.read_text()))


def population(persons: int, events: int, seed: int = 1):
    rng = random.Random(seed)
    codes = sorted(registry())
    base = TODAY.toordinal() - 400
    offsets = array("q", [0])
    for _ in range(persons):
        offsets.append(offsets[-1])
    # ten events a person on average, spread unevenly (some people place most demand)
    per = [rng.randint(0, 20) for _ in range(persons)]
    scale = events / max(1, sum(per))
    total = 0
    for i, k in enumerate(per):
        total += round(k * scale)
        offsets[i + 1] = total
    code_of = [codes[i] for i in (rng.randrange(len(codes)) for _ in range(total))]
    days = array("i", (base + rng.randrange(410) for _ in range(total)))
    return offsets, code_of, days


def _score_range(lo: int, hi: int) -> tuple[int, int]:
    offsets, code_of, days, r, cats = _STATE["data"]
    compiled = Compiled(r, cats)
    start, today = window_start(TODAY, r.window).toordinal(), TODAY.toordinal()
    flagged = changing = 0
    for i in range(lo, hi):
        a, b = offsets[i], offsets[i + 1]
        c, oldest, future = compiled.evaluate(zip(code_of[a:b], days[a:b], strict=True), start, today)
        if holds(c, r.conditions):
            flagged += 1
            score(c, r.weights)
        if oldest is not None:
            next_change(r, date.fromordinal(oldest), None)
            changing += 1
    return flagged, changing


def full_rescore(persons: int, events: int, workers: int) -> dict:
    t0 = time.perf_counter()
    offsets, code_of, days = population(persons, events)
    built = time.perf_counter() - t0
    _STATE["data"] = (offsets, code_of, days, rule(), registry())
    n = len(offsets) - 1
    bounds = [(n * k // workers, n * (k + 1) // workers) for k in range(workers)]
    t0 = time.perf_counter()
    if workers == 1:
        results = [_score_range(*bounds[0])]
    else:
        with mp.get_context("fork").Pool(workers) as pool:
            results = pool.starmap(_score_range, bounds)
    elapsed = time.perf_counter() - t0
    return {"persons": n, "events": len(days), "workers": workers,
            "generate_s": round(built, 1), "rescore_s": round(elapsed, 2),
            "flagged": sum(f for f, _ in results)}


async def incremental(runs: int, stored: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/scorer.db"
        run_migrations(ROOT / "services" / "scorer" / "migrations", url)
        engine = build_engine(url)
        sm = build_sessionmaker(engine)
        r = rule()
        async with sm() as s, s.begin():
            await repo.add_rule_version(s, r.model_dump(mode="json"), 1, "bench")
            await repo.upsert_categories(s, [
                {"code": c, "category": cat, "headline": h, "dataset": d, "partner": "p"}
                for (d, c), (cat, h) in registry().items()])
        scorer = Scorer(lambda: TODAY)
        codes = sorted(registry())
        rng = random.Random(2)

        def profile(i: int) -> m.Profile:
            events = [m.ProfileEvent(dataset=(k := rng.choice(codes))[0], code=k[1],
                                     occurred_on=TODAY - timedelta(days=rng.randrange(300)))
                      for _ in range(10)]
            return m.Profile(pseudonym=f"P{i:08d}", level="person", area="OL1", events=events,
                             sequence=1)

        for lo in range(0, stored, 500):  # a database that already holds evaluations
            async with sm() as s, s.begin():
                await scorer.profiles(s, m.ProfileBatch(
                    profiles=[profile(i) for i in range(lo, min(stored, lo + 500))]))
        times = []
        for _ in range(runs):
            batch = m.ProfileBatch(profiles=[profile(rng.randrange(stored))])
            t0 = time.perf_counter()
            async with sm() as s, s.begin():
                await repo.serialize(s)
                await scorer.profiles(s, batch)
            times.append((time.perf_counter() - t0) * 1000)
        await engine.dispose()
    return {"stored_evaluations": stored, "runs": runs,
            "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(sorted(times)[int(0.95 * len(times))], 2)}


def peak_mb() -> dict:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_rss_mb": round(own), "peak_worker_rss_mb": round(children)}


def load_linker(path: Path, offsets, code_of, days) -> int:
    """Write the population straight into a migrated linker database (one record token
    and one person pseudonym each); returns how many persons the re-score must evaluate
    (those with an event after the window's start: counted now, or entering later)."""
    import sqlite3

    n = len(offsets) - 1
    start = window_start(TODAY, rule().window).toordinal()
    now = "2026-06-15 00:00:00.000000"
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.executemany("INSERT INTO assignments (record_token, level, person, household, area, "
                    "withheld, version, assigned_at) VALUES (?,?,?,?,?,?,?,?)", (
        (f"r{i:08d}", "person", f"P{i:08d}", None, f"OL{1 + i % 9}", 0, 1, now)
        for i in range(n)))

    def rows():
        for i in range(n):
            for j in range(offsets[i], offsets[i + 1]):
                yield (f"e{j:09d}", f"r{i:08d}", "bench", code_of[j][0], "person", code_of[j][1],
                       date.fromordinal(days[j]).isoformat(), now)

    con.executemany("INSERT INTO events (event_token, record_token, partner, dataset, level, "
                    "code, occurred_on, received_at) VALUES (?,?,?,?,?,?,?,?)", rows())
    con.commit()
    con.close()
    return sum(1 for i in range(n) if any(
        days[j] > start for j in range(offsets[i], offsets[i + 1])))


def load_scorer(path: Path) -> None:
    import sqlite3

    con = sqlite3.connect(path)
    con.executemany("INSERT INTO code_categories (code, category, headline, dataset, partner) "
                    "VALUES (?,?,?,?,?)", [
        (code, cat, headline, dataset, "bench")
        for (dataset, code), (cat, headline) in registry().items()])
    con.commit()
    con.close()


def _vm_hwm_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return -1


def _log_lines(path: Path, marker: str, start: int) -> list[str]:
    text = path.read_text(errors="replace")[start:] if path.exists() else ""
    return [line for line in text.splitlines() if marker in line]


def service_rescore(persons: int, events: int, runs: int = 2, timeout: float = 3600) -> dict:
    """The documented full re-score command (`rescore --wait`, the bulk path) through the
    running linker and scorer; the split comes from the two services' own log lines."""
    import subprocess
    import sys

    from deploy.federation import Federation
    from deploy.layout import Layout
    from deploy.natsserver import free_port
    from services.common.subjects import SERVICES

    root = Path(tempfile.mkdtemp(prefix="tessera-rescore-"))
    # it opens the databases with sqlite3: SQLCipher's cost is benchmarks/at_rest.py's
    fed = Federation(Layout(root), ports={s: free_port() for s in SERVICES},
                     nats_port=free_port(), nats_monitor_port=None, environment="test",
                     encrypt_at_rest=False,
                     extra_env={"scorer": {"TESSERA_SCORER_TODAY": TODAY.isoformat()}})
    t0 = time.perf_counter()
    offsets, code_of, days = population(persons, events)
    fed.prepare()
    fed.start_nats()
    out: dict = {"persons": len(offsets) - 1, "events": len(days), "runs": []}
    try:
        # the gateway answers for the registry: a slice keeping agreements is ready only
        # once it has reconciled them with it
        for service in ("gateway", "linker", "scorer"):
            fed.migrate(service)
        out["profiles"] = load_linker(fed.layout.data / "linker.db", offsets, code_of, days)
        load_scorer(fed.layout.data / "scorer.db")
        del offsets, code_of, days
        out["load_s"] = round(time.perf_counter() - t0, 1)
        for service in ("gateway", "linker", "scorer"):
            fed.start_service(service)
        fed.wait_ready(120)
        logs = {s: fed.layout.logs / f"{s}.log" for s in ("linker", "scorer")}
        for _ in range(runs):
            marks = {s: len(p.read_text(errors="replace")) for s, p in logs.items()}
            t0 = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "services.scorer", "rescore", "--wait"],
                                  env=fed._env("scorer"), cwd=ROOT, check=True,
                                  capture_output=True, text=True, timeout=timeout)
            run = {"total_s": round(time.perf_counter() - t0, 1),
                   "result": done.stdout.strip().splitlines()[-1]}
            run["linker"] = [line.split("export ", 1)[1] for line in
                             _log_lines(logs["linker"], "export ", marks["linker"])]
            run["scorer"] = [line.split("re-score ", 1)[1] for line in
                             _log_lines(logs["scorer"], "finished:", marks["scorer"])]
            out["runs"].append(run)
        out["peak_rss_mb"] = {s: _vm_hwm_mb(fed.procs[s].pid) for s in ("linker", "scorer")}
    finally:
        fed.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--stored", type=int, default=20_000)
    parser.add_argument("--mode", choices=["core", "service", "all"], default="all")
    args = parser.parse_args()
    print("incremental:", asyncio.run(incremental(args.runs, args.stored)), flush=True)
    if args.mode in ("core", "all"):
        print("full (core):", full_rescore(args.persons, args.events, args.workers), flush=True)
        print("memory (core):", peak_mb(), flush=True)
    if args.mode in ("service", "all"):
        print("full (service):", service_rescore(args.persons, args.events), flush=True)


if __name__ == "__main__":
    main()
