"""The pseudonymiser's linkage calls in-process, on the state a speed run left.

    PYTHONPATH=. .venv/bin/python -m benchmarks.linkage_calls DIR [--group 16]
        [--no-ahead] [--sql] [--repeat 1] [--py-spy PATH] [--out benchmarks/linkage_calls.json]

DIR is the state a `benchmarks.linkage_speed --dir DIR` run left (train and re-link
done; with `--skip-federation` nothing pushed yet, the faithful case; after a push, the
pushed records are deleted as `--again` does, and what that push changed in held persons
stays, which flatters). Its pseudonymiser database is copied and migrated; the same identity rows are built
into the `IdentityBatch` messages the gateway would send (500-row chunks, record tokens
from the run's gateway key, the registry's dataset flags) and linked by
`Pseudonymiser.ingest` in groups of `--group` messages, one transaction each, with the
next group scored ahead while the current one is linked, as the identity consumer does.
No NATS and no other services: what is left is the pseudonymiser's own work, so a change
to it shows without the federation's noise (the figure to report is still
`linkage_speed`'s through the federation).

Prints per call and in all: rows, seconds, CPU seconds, the call's stage timings, and
with `--sql` the SQL statements' wall time by kind (the time the event loop waits for
SQLite). `--repeat N` links the same push N times (each on a fresh copy of the state
would need the index loaded again; here each repeat undoes the previous one in the
database and the index first).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from benchmarks.linkage_speed import (
    BATCH,
    forget_push,
    push_rows,
    say,
    start_profiler,
    write_report,
)

REPO = Path(__file__).resolve().parent.parent


def messages(rows: list, hmac_key: bytes) -> list:
    """The IdentityBatch messages the gateway sends for the pushed rows, uploaded as the
    speed benchmark's partners upload them (500 rows a request), built by the gateway's
    own code (record tokens, dataset flags from the local registry)."""
    from types import SimpleNamespace

    from gateway.registry import read_registry
    from gateway.service import Gateway
    from gateway.settings import GatewaySettings

    gateway = Gateway(GatewaySettings(chunk_rows=BATCH), bus=None, hmac_key=hmac_key)
    registry = {d["id"]: SimpleNamespace(**d) for d in
                read_registry(REPO / "deploy" / "config" / "registry.yaml")["datasets"]}
    by_dataset: dict[tuple[str, str], list[dict]] = {}
    for partner, dataset, row in rows:
        by_dataset.setdefault((partner, dataset), []).append(row)
    out = []
    for (partner, dataset), part in by_dataset.items():
        ds = registry.get(dataset) or SimpleNamespace(
            id=dataset, partner=partner, level="person", agreement=None,
            one_record_per_person=False)
        for i in range(0, len(part), BATCH):
            out += [message for _, _, message, _ in gateway._messages(
                ds, "identities", f"b_calls_{dataset}_{i}", part[i:i + BATCH])]
    return out


class SqlTimes:
    """Wall time of each SQL statement by kind (first words and table), from the
    engine's cursor events."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.reset()
        sync = engine.sync_engine

        @event.listens_for(sync, "before_cursor_execute")
        def before(conn, cursor, statement, params, context, executemany):
            conn.info.setdefault("tessera_t", []).append(time.perf_counter())

        @event.listens_for(sync, "after_cursor_execute")
        def after(conn, cursor, statement, params, context, executemany):
            start = conn.info["tessera_t"].pop()
            kind = self.kind(statement)
            self.seconds[kind] += time.perf_counter() - start
            self.count[kind] += 1

    def reset(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.count: Counter = Counter()

    @staticmethod
    def kind(statement: str) -> str:
        words = re.sub(r"\s+", " ", statement.strip()).split(" ")
        verb = words[0].upper()
        table = next((w for w, prev in zip(words[1:], words[:-1], strict=True)
                      if prev.upper() in
                      ("FROM", "INTO", "UPDATE", "JOIN")), "")
        return f"{verb} {table.strip(chr(34))}"

    def report(self) -> list:
        return sorted(([k, round(v, 3), self.count[k]] for k, v in self.seconds.items()),
                      key=lambda x: -x[1])


async def run(args) -> dict:
    from deploy.layout import Layout
    from services.common.db import (
        WalCheckpointer,
        build_engine,
        build_sessionmaker,
        run_migrations,
    )
    from services.common.runtime import tune_interpreter
    from services.common.settings import read_key
    from services.pseudonymiser import assembly
    from services.pseudonymiser.settings import PseudonymiserSettings

    src = Path(args.dir)
    layout = Layout(src)
    rows = push_rows(src, args.records, args.push, args.seed)
    hmac_key = read_key(layout.key("gateway-hmac"))
    msgs = messages(rows, hmac_key)
    tokens = [r.record_token for b in msgs for r in b.rows]
    work = Path(tempfile.mkdtemp(prefix="tessera-calls-"))
    report: dict = {"dir": str(src), "messages": len(msgs), "rows": len(tokens),
                    "group": args.group, "ahead": not args.no_ahead}
    try:
        say("copying the pseudonymiser's database")
        (work / "data").mkdir()
        for f in (src / "data").glob("pseudonymiser.db*"):
            shutil.copy(f, work / "data" / f.name)
        forget_push(work, tokens, only="pseudonymiser")
        db = work / "data" / "pseudonymiser.db"
        run_migrations(REPO / "services" / "pseudonymiser" / "migrations",
                       f"sqlite+aiosqlite:///{db}")  # as the service's start does
        settings = PseudonymiserSettings(
            database_url=f"sqlite+aiosqlite:///{db}",
            person_key_path=layout.key("pseudonym-person"),
            household_key_path=layout.key("pseudonym-household"))
        tune_interpreter(settings)  # as the service's start does
        checkpointer = WalCheckpointer(db, settings.sqlite_wal_limit_mb)
        engine = build_engine(settings.database_url, cache_mb=settings.sqlite_cache_mb,
                              mmap_mb=settings.sqlite_mmap_mb,
                              wal_limit_mb=settings.sqlite_wal_limit_mb,
                              background_checkpoint=True)
        sql = SqlTimes(engine) if args.sql else None
        sessionmaker = build_sessionmaker(engine)
        say("loading the linkage index")
        start = time.perf_counter()
        service = await assembly.build(settings, sessionmaker)
        report["index_load_seconds"] = round(time.perf_counter() - start, 2)
        groups = [msgs[i:i + args.group] for i in range(0, len(msgs), args.group)]
        runs = []
        for attempt in range(args.repeat):
            if attempt:
                async with sessionmaker() as session, session.begin():
                    await undo(session, service, tokens)
            if sql:
                sql.reset()
            profile = Path(args.out).with_suffix(f".{attempt + 1}.folded")
            profiler = start_profiler(args.py_spy, os.getpid(), profile)
            await asyncio.sleep(0.5 if profiler else 0)  # py-spy attaching
            runs.append(await link_all(service, sessionmaker, groups, checkpointer,
                                       ahead=not args.no_ahead))
            if profiler is not None:
                profiler.send_signal(signal.SIGINT)
                await asyncio.to_thread(profiler.wait, 60)
                runs[-1]["profile"] = str(profile)
            if sql:
                runs[-1]["sql"] = sql.report()
            say(f"run {attempt + 1}: {runs[-1]['records_per_s']} records/s")
        report["runs"] = runs
        await engine.dispose()
        checkpointer.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


async def undo(session, service, tokens: list[str]) -> None:
    """Take a linked push back out of the database and the index (its persons and
    households stay, unused)."""
    from sqlalchemy import delete

    from services.pseudonymiser.models import IdentityRecord

    for i in range(0, len(tokens), 2000):
        await session.execute(delete(IdentityRecord).where(
            IdentityRecord.record_token.in_(tokens[i:i + 2000])))
    await asyncio.to_thread(service.linkage.index.remove, tokens)


async def link_all(service, sessionmaker, groups: list, checkpointer, ahead: bool) -> dict:
    import resource

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    calls = []
    stages: dict[str, float] = defaultdict(float)
    running = True

    async def checkpoints() -> None:  # as the service's runtime does, every second
        while running:
            await asyncio.sleep(1)
            await asyncio.to_thread(checkpointer.run)

    job = asyncio.create_task(checkpoints())
    start, cpu0 = time.perf_counter(), cpu()
    try:
        for i, group in enumerate(groups):
            t, c = time.perf_counter(), cpu()
            if ahead:
                service.linkage.start(group)  # the consumer's first-of-a-burst start
                if i + 1 < len(groups):
                    service.linkage.start(groups[i + 1])  # the lookahead's
            async with sessionmaker() as session, session.begin():
                outcome = await service.ingest(session, group, "data")
            for k, v in outcome.seconds.items():
                stages[k] += v
            calls.append({"rows": sum(len(b.rows) for b in group),
                          "seconds": round(time.perf_counter() - t, 3),
                          "cpu_seconds": round(cpu() - c, 2),
                          "assignments": len(outcome.assignments),
                          "stages": outcome.seconds})
    finally:
        running = False
        await job
    seconds = time.perf_counter() - start
    rows = sum(c["rows"] for c in calls)
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu() - cpu0, 2),
            "records_per_s": round(rows / seconds), "calls": calls,
            "stages_seconds": {k: round(v, 2) for k, v in stages.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.linkage_calls")
    parser.add_argument("dir", help="a finished linkage_speed run's --dir")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--push", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--group", type=int, default=16, help="messages linked per call")
    parser.add_argument("--no-ahead", action="store_true", help="no scoring ahead")
    parser.add_argument("--sql", action="store_true", help="time SQL statements by kind")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--py-spy", default=None, metavar="PATH",
                        help="py-spy binary: sample the calls (raw folded stacks beside --out)")
    parser.add_argument("--out", default="benchmarks/linkage_calls.json")
    args = parser.parse_args(argv)
    report = asyncio.run(run(args))
    write_report(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
