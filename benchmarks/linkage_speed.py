"""Linkage speed: full re-link against standalone Splink, and incremental linkage
through the running federation with N identities already held.

    PYTHONPATH=. .venv/bin/python -m benchmarks.linkage_speed [--records 1000000]
        [--push 20000] [--skip-federation] [--skip-relink] [--skip-standalone] [--py-spy PATH]
        [--again DIR] [--out benchmarks/linkage_speed.json]

1. Synthetic boroughs (synthetic.generate_borough, at most 25,000 households each,
   seeds seed*1000+k, local ids prefixed per borough; about 3.9 person-level
   records per household) enough for `records + push` identities, checked and
   normalised by the gateway's own row validation, shuffled with the seed; the first
   `records` are held, the next `push` arrive later.
2. The held ones are bulk-loaded into a migrated pseudonymiser SQLite database as
   IdentityRecord rows (services.pseudonymiser.linkage.fill; record tokens computed as
   the gateway computes them), one Person each.
3. The operator commands in a subprocess, as a council runs them: `python -m
   services.pseudonymiser train`, `... relink` (timed; the re-link loads the index,
   scores all pairs, clusters and reconciles). Then standalone Splink 5 on the same
   frame in this process: train (probabilistic.train, seed 42) then model.predict. The ratio
   relink / standalone is the figure the issue sets (target <= 1.5). `--skip-standalone`
   runs the operator commands only; `--skip-relink` neither, so the held records stay
   one person each and the push merges many of them (a pessimistic case: at 1M, 1,600
   merges and 33,000 assignments for 20,000 arriving records).
4. Where a batch's time goes: the linkage index (LinkageIndex) loaded in this process
   with the held records, and `score` (its own blocking and scoring SQL) timed on
   500-row batches.
5. The federation on that database (all services, NATS): `push` new identities through
   the gateway in 500-row batches; the clock runs from the first POST until every one of
   them has a person in the pseudonymiser's database and its outbox is empty (all
   assignments published); it starts once the federation is idle (every consumer has
   applied what the re-link published, and the services use almost no CPU). Peak RSS of the pseudonymiser is its VmHWM; each service's
   CPU seconds during the push, the load average, and the pseudonymiser's per-call
   stage timings (summed from its log) are reported with it.
6. Linkage quality at that size: pairwise precision and recall of the persons the
   pseudonymiser holds against the generator's truth, after the re-link and after the
   push (`quality_after_relink`, `quality_after_push`), with the number of persons that
   mix records of more than one true person.

`--again DIR` repeats only step 5 on the state a finished run left in DIR (its `--dir`),
copied to the state directory: the pushed records are deleted again from the
pseudonymiser and the linker, and the services' inboxes and the gateway's batches are
emptied, so the same rows arrive as new. The merges the first push made stay, so the
repeat makes fewer merges and assignments than the first push (minutes instead of most of
an hour, for trying a change; the figure to report is a full run's).

Progress goes to stderr, one timestamped line per step.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

from benchmarks.linkage_federation import AGREEMENT

REPO = Path(__file__).resolve().parent.parent
RECORDS_PER_HOUSEHOLD = 3.9
BATCH = 500
# generate_borough draws addresses from a finite street and postcode space by rejection
# sampling: past about 30,000 households it slows sharply (60,000 did not finish in 5
# minutes), so large populations are built from several boroughs of this size
MAX_HOUSEHOLDS = 25_000


def _clock(out: dict, name: str, start: float) -> float:
    now = time.perf_counter()
    out[name] = round(now - start, 2)
    return now


def identities(records: int, push: int, seed: int, out: dict,
               truth: dict | None = None) -> tuple[list, list]:
    """(held, new): person-level rows as the gateway passes them on, with partner/dataset.
    `truth`, if given, is filled with (partner, dataset, local id) -> the true person."""
    from gateway.validation import check_rows
    from synthetic import generate_borough

    start = time.perf_counter()
    households = math.ceil((records + push) * 1.03 / RECORDS_PER_HOUSEHOLD)
    parts = math.ceil(households / MAX_HOUSEHOLDS)
    rows, rejected = [], 0
    for k in range(parts):
        borough = generate_borough(seed * 1000 + k, math.ceil(households / parts),
                                   date(2025, 3, 31))
        for ds in borough.datasets:
            if ds.level != "person":
                continue
            # local ids are per borough: prefixed, so each borough's records stay distinct
            checked = check_rows([{**r, "local_id": f"b{k}-{r['local_id']}"}
                                  for r in ds.identities], kind="identities", level="person")
            if truth is not None:
                for r in ds.identities:
                    person = borough.truth.records[(ds.partner, ds.dataset, r["local_id"])]
                    truth[(ds.partner, ds.dataset, f"b{k}-{r['local_id']}")] = (
                        f"{k}:{person.person_id}")
            rejected += len(checked.rejected)
            rows += [(ds.partner, ds.dataset, row) for _, row in checked.rows]
    random.Random(seed).shuffle(rows)
    _clock(out, "generate_seconds", start)
    out.update(households=households, boroughs=parts, generated_rows=len(rows),
               rejected_rows=rejected)
    if len(rows) < records + push:
        raise SystemExit(f"only {len(rows)} rows generated")
    return rows[:records], rows[records:records + push]


def push_rows(root: Path, records: int, push: int, seed: int,
              truth: dict | None = None) -> list:
    """The rows a run in `root` pushed (and, if `truth` is given, the generator's truth
    for every row), from the copy the run kept (`generated.json`), else generated again
    (about 100 s at 1M) and kept there."""
    path = root / "generated.json"
    if path.exists():
        doc = json.loads(path.read_text())
        if (doc["records"], doc["push"], doc["seed"]) == (records, push, seed):
            if truth is not None:
                truth.update({(p, d, local): t for p, d, local, t in doc["truth"]})
            return [(p, d, row) for p, d, row in doc["rows"]]
    found: dict = {}
    _, new = identities(records, push, seed, {}, found)
    keep_generated(root, records, push, seed, new, found)
    if truth is not None:
        truth.update(found)
    return new


def keep_generated(root: Path, records: int, push: int, seed: int, new: list,
                   truth: dict) -> None:
    """What `push_rows` reads back: the pushed rows (JSON: ISO dates) and the truth."""
    rows = [(p, d, {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()})
            for p, d, row in new]
    (root / "generated.json").write_text(json.dumps({
        "records": records, "push": push, "seed": seed, "rows": rows,
        "truth": [[*key, t] for key, t in truth.items()]}))


def say(message: str) -> None:
    """Progress on stderr (a 1M run takes most of an hour)."""
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def record_objects(held: list, hmac_key: bytes):
    """Plain drafts of IdentityRecord rows (ORM objects for 1M records took gigabytes)."""
    from services.common import messages as m
    from services.common.crypto import keyed_token
    from services.pseudonymiser.linkage import fill
    from services.pseudonymiser.models import IdentityRecord
    from services.pseudonymiser.repository import Draft

    out = []
    for seq, (partner, dataset, row) in enumerate(held, start=1):
        token = keyed_token(hmac_key, partner, dataset, row["local_id"], prefix="r_")
        rec = Draft(IdentityRecord, record_token=token, partner=partner, dataset=dataset,
                    level="person", purpose="data", version=1, received_seq=seq,
                    person_id=seq, agreement=AGREEMENT, one_per_person=False)
        fill(rec, m.IdentityRow(record_token=token, **row))
        out.append(rec)
    return out


async def bulk_load(url: str, records: list, person_key: bytes) -> None:
    from sqlalchemy import insert

    from services.common.crypto import keyed_token
    from services.common.db import build_engine, utcnow
    from services.pseudonymiser.models import IdentityRecord, Person

    now = utcnow()
    # columns left unset on the drafts fall back to their model defaults (as the ORM does)
    cols = [c.key for c in IdentityRecord.__table__.columns
            if c.default is None or getattr(records[0], c.key) is not None]
    engine = build_engine(url)
    try:
        async with engine.begin() as conn:
            for i in range(0, len(records), 50_000):
                part = records[i:i + 50_000]
                persons = []
                for r in part:
                    u = str(uuid.uuid4())
                    persons.append({"id": r.person_id, "uuid": u, "withheld": False,
                                    "pseudonym": keyed_token(person_key, u, prefix="p_"),
                                    "created_at": now})
                await conn.execute(insert(Person), persons)
                rows = [{c: getattr(r, c) for c in cols} for r in part]
                for row in rows:
                    row["received_at"] = now
                await conn.execute(insert(IdentityRecord), rows)
    finally:
        await engine.dispose()


def run_child(cmd: list[str], env: dict[str, str]) -> tuple[dict, float, int]:
    """Run an operator command; (its JSON output, seconds, peak RSS in MB)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=stdout, stderr=stderr, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        stdout.seek(0)
        text = stdout.read()
        if proc.returncode != 0:
            stderr.seek(0)
            tail = stderr.read().strip().splitlines()[-3:]
            raise RuntimeError(f"{cmd[-1]} exited with {proc.returncode}: {tail}")
    return json.loads(text[text.index("{"):]), round(seconds, 2), usage.ru_maxrss // 1024


def standalone(frame, new: list, hmac_key: bytes, out: dict):
    """Standalone Splink on the same frame; then the index's per-batch scoring."""
    from services.pseudonymiser.probabilistic import TrainingConfig, frame_from_records, train
    from services.pseudonymiser.probabilistic.index import LinkageIndex

    start = time.perf_counter()
    model = train(frame, TrainingConfig(seed=42))
    start = _clock(out, "train_seconds", start)
    scored = model.predict(frame)
    start = _clock(out, "predict_seconds", start)
    out["pairs_scored"] = int(len(scored))
    out["model_version"] = model.version
    del scored
    index = LinkageIndex(model)
    index.load([frame])
    start = _clock(out, "index_load_seconds", start)
    batches = []
    incoming = record_objects(new[:5 * BATCH], hmac_key)
    for i in range(0, len(incoming), BATCH):
        t = time.perf_counter()
        batch = frame_from_records(incoming[i:i + BATCH])
        index.score(batch)
        batches.append(round(time.perf_counter() - t, 3))
    out["index_score_500_seconds"] = batches
    return model


def rss_mb(pid: int) -> dict[str, int]:
    """Peak and current resident memory, and the current split into the process's own
    (RssAnon) and file pages (RssFile: SQLite's memory-mapped database, libraries)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
            fields[key] = int(value.split()[0]) // 1024
    return fields


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (contention distorts it less than
    wall-clock time)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stage_seconds(log: Path, offset: int) -> dict:
    """The pseudonymiser's per-call stage timings logged since `offset` (bytes), summed."""
    stages: dict[str, float] = {}
    calls = rows = 0
    with open(log, "rb") as f:
        f.seek(offset)
        for line in f.read().decode(errors="replace").splitlines():
            if "identity batches:" not in line or " seconds " not in line:
                continue
            calls += 1
            rows += int(line.split("identity batches:")[1].split(",")[1].split()[0])
            for item in line.rsplit(" seconds ", 1)[1].split():
                key, _, value = item.partition("=")
                stages[key] = round(stages.get(key, 0.0) + float(value), 2)
    return {"calls": calls, "rows": rows, "stages_seconds": stages}


def progress(db: Path, first_seq: int) -> tuple[int, int]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=60)
    try:
        linked = con.execute("SELECT count(*) FROM identity_records WHERE received_seq > ? "
                             "AND person_id IS NOT NULL", (first_seq,)).fetchone()[0]
        pending = con.execute("SELECT count(*) FROM outbox").fetchone()[0]
    finally:
        con.close()
    return linked, pending


def start_profiler(py_spy: str | None, pid: int, path: Path) -> subprocess.Popen | None:
    """py-spy sampling the pseudonymiser (all threads, raw folded stacks) during the push."""
    if not py_spy:
        return None
    return subprocess.Popen([py_spy, "record", "--pid", str(pid), "--threads", "--nonblocking",
                             "--format", "raw", "--output", str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def consumers_backlog(fed) -> int:
    """Messages every durable consumer of the federation has still to apply (after a
    re-link: hundreds of thousands of re-assignments for the linker and the scorer)."""
    from services.common import bus
    from services.common.subjects import PROVISIONER, durable_name, streams

    passwords = json.loads(fed.layout.nats_passwords.read_text())
    nc = await bus.connect(url=fed.nats_url, service=PROVISIONER, user=PROVISIONER,
                           password=passwords[PROVISIONER])
    try:
        js, total = nc.jetstream(), 0
        for channel in streams():  # a broadcast has no durable consumers
            for service in channel.consumers if channel.kind == "stream" else ():
                info = await js.consumer_info(channel.stream, durable_name(channel, service))
                total += info.num_pending + info.num_ack_pending
        return total
    finally:
        await nc.close()


async def quiet(fed, idle_cpu_s: float = 0.5, window_s: float = 5.0) -> None:
    """Wait until the federation is idle: no consumer has messages to apply and the
    services used under `idle_cpu_s` of CPU in the last `window_s` (after a re-link the
    linker and the scorer work through its re-assignments, and what they publish)."""
    pids = [proc.pid for proc in fed.procs.values()]
    while True:
        backlog = await consumers_backlog(fed)
        before = sum(cpu_seconds(p) for p in pids)
        await asyncio.sleep(window_s)
        used = sum(cpu_seconds(p) for p in pids) - before
        if not backlog and used < idle_cpu_s and not await consumers_backlog(fed):
            return
        say(f"waiting for the federation to be idle: {backlog} queued messages, "
            f"{used:.1f} CPU seconds in {window_s:.0f} s")


async def push_through(fed, new: list, held: int, out: dict, workers: int,
                       py_spy: str | None = None) -> None:
    import httpx

    from deploy.cli import token_factory
    from deploy.demo import DemoApi

    db = fed.layout.data / "pseudonymiser.db"
    pid = fed.procs["pseudonymiser"].pid
    while progress(db, held)[1]:  # noqa: ASYNC110 (the relink's re-assignments go first)
        await asyncio.sleep(0.5)
    await quiet(fed)
    out["rss_before_push_mb"] = rss_mb(pid)
    log = fed.layout.logs / "pseudonymiser.log"
    log_offset = log.stat().st_size
    # every process on the two cores: the services, NATS, and this one (the partners'
    # uploads and the polling below)
    pids = {name: proc.pid for name, proc in fed.procs.items()}
    if fed.nats is not None:
        pids["nats"] = fed.nats.pid
    pids["benchmark"] = os.getpid()
    cpu_before = {name: cpu_seconds(p) for name, p in pids.items()}
    batches: dict[tuple[str, str], list] = {}
    for partner, dataset, row in new:  # as the partner sends it: JSON, ISO dates
        batches.setdefault((partner, dataset), []).append(
            {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()
             if v is not None})
    work = [(p, d, rows[i:i + BATCH]) for (p, d), rows in batches.items()
            for i in range(0, len(rows), BATCH)]
    accepted = 0
    async with httpx.AsyncClient(timeout=300) as client:
        api = DemoApi(client, fed.url("gateway"), fed.url("scorer"), fed.url("reidentify"),
                      token_factory(fed.layout))
        queue = list(enumerate(work))
        profile = fed.layout.logs / "pseudonymiser-push.folded"
        profiler = start_profiler(py_spy, pid, profile)

        async def poster() -> None:
            nonlocal accepted
            while queue:
                i, (partner, dataset, rows) = queue.pop(0)
                reply = await api.post_rows(partner, dataset, "identities", rows, f"speed-{i}")
                accepted += int(reply["accepted"])

        start = time.perf_counter()
        await asyncio.gather(*(poster() for _ in range(workers)))
        out["post_seconds"] = round(time.perf_counter() - start, 2)
        peak, peak_anon, shown = 0, 0, time.perf_counter()
        while True:
            linked, pending = await asyncio.to_thread(progress, db, held)
            now = rss_mb(pid)
            peak, peak_anon = max(peak, now.get("VmRSS", 0)), max(peak_anon, now.get("RssAnon", 0))
            if linked >= accepted and pending == 0:
                break
            if time.perf_counter() - shown > 10:
                say(f"push: {linked} of {accepted} linked, {pending} messages in the outbox")
                shown = time.perf_counter()
            await asyncio.sleep(0.2)
        seconds = time.perf_counter() - start
    if profiler is not None:
        profiler.send_signal(signal.SIGINT)
        await asyncio.to_thread(profiler.wait, 60)
        out["profile"] = str(profile)
    cpu = {name: round(cpu_seconds(p) - cpu_before[name], 2) for name, p in pids.items()}
    out["cpu_seconds"] = cpu
    # how much of the machine the push kept busy (near 1: bound by the cores, not waits)
    out["cpu_share_of_machine"] = round(sum(cpu.values()) / (seconds * os.cpu_count()), 3)
    out["pseudonymiser_cpu_ms_per_record"] = round(1000 * cpu["pseudonymiser"] / accepted, 3)
    out["load_average"] = os.getloadavg()
    out["pseudonymiser_log"] = stage_seconds(log, log_offset)
    out.update({"pushed": len(new), "accepted": accepted, "batches": len(work),
                "seconds": round(seconds, 2), "records_per_s": round(accepted / seconds),
                "seconds_per_batch": round(seconds / len(work), 3),
                "pseudonymiser_rss_mb": rss_mb(pid), "sampled_peak_rss_mb": peak,
                "sampled_peak_rss_anon_mb": peak_anon})


def forget_push(root: Path, tokens: list[str], only: str | None = None) -> None:
    """Undo a push in a stopped federation's state: the pushed records leave the
    pseudonymiser and their assignments the linker; processed-message ids and the
    gateway's batches go, so the same rows can be sent again as new. `only`: one
    service's database (the pseudonymiser's alone, copied without the others)."""
    data = root / "data"
    with sqlite3.connect(data / "pseudonymiser.db") as con:
        con.executemany("DELETE FROM identity_records WHERE record_token = ?",
                        [(t,) for t in tokens])
    if only is None and (data / "linker.db").exists():  # absent before a first push
        with sqlite3.connect(data / "linker.db") as con:
            con.executemany("DELETE FROM assignments WHERE record_token = ?",
                            [(t,) for t in tokens])
    for db in [data / f"{only}.db"] if only else sorted(data.glob("*.db")):
        with sqlite3.connect(db) as con:
            tables = {n for (n,) in con.execute("SELECT name FROM sqlite_master")}
            for table in ("inbox", "batches", "progress"):
                if table in tables and (table == "inbox" or db.stem == "gateway"):
                    con.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)


def pairwise_quality(db: Path, truth: dict) -> dict:
    """Pairwise precision and recall of the persons the pseudonymiser holds against the
    generator's truth, counted from cluster sizes (every two records of one person are a
    predicted pair), so a million records need no pair lists."""
    from math import comb

    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT partner, dataset, local_id, person_id FROM identity_records "
                           "WHERE level = 'person' AND purpose = 'data'").fetchall()
    person: dict = {}
    entity: dict = {}
    both: dict = {}
    for partner, dataset, local_id, pid in rows:
        true = truth.get((partner, dataset, local_id))
        if true is None:
            continue
        person[pid] = person.get(pid, 0) + 1
        entity[true] = entity.get(true, 0) + 1
        both[(pid, true)] = both.get((pid, true), 0) + 1
    tp = sum(comb(n, 2) for n in both.values())
    predicted = sum(comb(n, 2) for n in person.values())
    actual = sum(comb(n, 2) for n in entity.values())
    p = tp / predicted if predicted else 1.0
    r = tp / actual if actual else 1.0
    return {"records": sum(person.values()), "persons": len(person),
            "true_persons": len(entity), "precision": round(p, 5), "recall": round(r, 5),
            "f1": round(2 * p * r / (p + r), 5) if p + r else 0.0,
            "predicted_pairs": predicted, "true_pairs": actual,
            "persons_mixing_true_persons": sum(1 for n in Counter(
                pid for pid, _ in both).values() if n > 1)}


def relink_against_standalone(fed, records: list, new: list, hmac_key: bytes,
                              report: dict, with_standalone: bool = True) -> None:
    """The operator's `train` and `relink` on the held data (child processes), then
    standalone Splink (train + predict) on the same data in this process; `records` is
    emptied to free its memory. The children run first: at 1M, Splink's memory in this
    process is not all given back after the standalone run, and the two together
    exceeded the machine's 24 GB."""
    from services.pseudonymiser.probabilistic import frame_from_records

    cmd = [sys.executable, "-m", "services.pseudonymiser"]
    env = fed._env("pseudonymiser")
    cli = report["operator"] = {}
    say("operator train")
    cli["train"], cli["train_seconds"], cli["train_peak_rss_mb"] = run_child(
        cmd + ["train"], env)
    say("operator relink")
    cli["relink"], cli["relink_seconds"], cli["relink_peak_rss_mb"] = run_child(
        cmd + ["relink"], env)
    print(json.dumps(report), flush=True)
    if not with_standalone:
        records.clear()
        return

    sa = report["standalone"] = {}
    start = time.perf_counter()
    frame = frame_from_records(records)
    _clock(sa, "frame_seconds", start)
    records.clear()  # 1M records take memory the training needs
    say("standalone Splink: train, predict, index scoring")
    standalone(frame, new, hmac_key, sa)
    del frame
    sa["total_seconds"] = round(sa["train_seconds"] + sa["predict_seconds"], 2)
    cli["same_model_as_standalone"] = cli["train"]["model_version"] == sa["model_version"]
    report["relink_over_standalone"] = round(cli["relink_seconds"] / sa["total_seconds"], 3)
    report["train_and_relink_over_standalone"] = round(
        (cli["train_seconds"] + cli["relink_seconds"]) / sa["total_seconds"], 3)
    print(json.dumps(report), flush=True)


async def run(args) -> dict:
    from deploy.federation import Federation
    from deploy.layout import Layout
    from deploy.natsserver import free_port
    from services.common.settings import read_key
    from services.common.subjects import SERVICES

    report: dict = {"records": args.records, "push": args.push, "cpus": os.cpu_count(),
                    "load_average_at_start": os.getloadavg()}
    root = Path(args.dir or tempfile.mkdtemp(prefix="tessera-speed-"))
    if args.again:
        shutil.copytree(args.again, root, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.log", "*.folded"))
    # it opens the databases with sqlite3: SQLCipher's cost is benchmarks/at_rest.py's
    fed = Federation(Layout(root), ports={s: free_port() for s in SERVICES},
                     nats_port=free_port(), nats_monitor_port=None, environment="test",
                     encrypt_at_rest=False,
                     extra_env=service_settings(args.env))
    report["settings"] = args.env
    fed.prepare()
    data = report["data"] = {}
    truth: dict = {}
    hmac_key = read_key(fed.layout.key("gateway-hmac"))
    if args.again:
        from services.common.crypto import keyed_token

        say("the pushed rows, as the first run generated them")
        new = push_rows(Path(args.again), args.records, args.push, args.seed, truth)
        forget_push(root, [keyed_token(hmac_key, p, d, r["local_id"], prefix="r_")
                           for p, d, r in new])
    else:
        say(f"generating {args.records} + {args.push} identities")
        held, new = identities(args.records, args.push, args.seed, data, truth)
        keep_generated(root, args.records, args.push, args.seed, new, truth)
        start = time.perf_counter()
        await asyncio.to_thread(fed.migrate, "pseudonymiser")
        say("bulk load")
        records = record_objects(held, hmac_key)
        start = _clock(data, "records_seconds", start)
        await bulk_load(fed.layout.database_url("pseudonymiser"), records,
                        read_key(fed.layout.key("pseudonym-person")))
        _clock(data, "bulk_load_seconds", start)
        del held
        if not args.skip_relink:
            relink_against_standalone(fed, records, new, hmac_key, report,
                                      with_standalone=not args.skip_standalone)
            report["quality_after_relink"] = pairwise_quality(
                fed.layout.data / "pseudonymiser.db", truth)
        del records

    if not args.skip_federation:
        inc = report["incremental"] = {}
        start = time.perf_counter()
        try:
            say("federation start")
            await asyncio.to_thread(fed.start_nats)
            for service in SERVICES:
                await asyncio.to_thread(fed.migrate, service)
            for service in SERVICES:
                fed.start_service(service)
            await asyncio.to_thread(fed.wait_ready, 3600)
            inc["startup_seconds"] = round(time.perf_counter() - start, 2)
            say(f"push {len(new)} identities")
            await push_through(fed, new, args.records, inc, args.workers, args.py_spy)
        finally:
            await asyncio.to_thread(fed.stop)
        report["quality_after_push"] = pairwise_quality(fed.layout.data / "pseudonymiser.db",
                                                        truth)
    report["root"] = str(root)
    return report


def service_settings(pairs: list[str]) -> dict[str, dict[str, str]]:
    """`TESSERA_<SERVICE>_<NAME>=<value>` settings, by service (to try a setting
    through the federation without a code change)."""
    out: dict[str, dict[str, str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        parts = name.split("_")
        if not sep or len(parts) < 3 or parts[0] != "TESSERA":
            raise SystemExit(f"--env takes TESSERA_<SERVICE>_<NAME>=<value>, not {pair!r}")
        out.setdefault(parts[1].lower(), {})[name] = value
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.linkage_speed")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--push", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4, help="concurrent partner uploads")
    parser.add_argument("--skip-federation", action="store_true")
    parser.add_argument("--skip-relink", action="store_true",
                        help="no standalone Splink run, no operator train/relink: only the "
                             "incremental push (bundled model) with the records held")
    parser.add_argument("--py-spy", default=None, metavar="PATH",
                        help="py-spy binary: sample the pseudonymiser during the push (raw "
                             "folded stacks in the state directory's logs)")
    parser.add_argument("--skip-standalone", action="store_true",
                        help="operator train and relink (so the held records are linked "
                             "before the push) but no standalone Splink run")
    parser.add_argument("--dir", default=None, help="state directory (default: a temp dir)")
    parser.add_argument("--again", default=None, metavar="DIR",
                        help="only the push again, on a copy of the state a finished run "
                             "left in DIR (same --records, --push and --seed)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="a service setting for this run, e.g. "
                             "TESSERA_PSEUDONYMISER_LINK_GROUP_MESSAGES=32 (repeatable)")
    parser.add_argument("--out", default="benchmarks/linkage_speed.json")
    args = parser.parse_args(argv)
    write_report(asyncio.run(run(args)), args.out)
    return 0


def write_report(report: dict, out: str) -> None:
    """The report as JSON, to `out` and to stdout."""
    Path(out).write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    sys.exit(main())
