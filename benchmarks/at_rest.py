"""What encryption at rest costs: SQLite against SQLCipher, JetStream plain against
encrypted.

- open: a connection opened and its first page read (what every pooled connection, the
  checkpointer and the access log's writer pay once), plain, with a raw 256-bit key
  (what `deploy.keys` writes) and with a passphrase (PBKDF2, 256,000 iterations);
- insert: the pseudonymiser's identity rows (a synthetic borough's, repeated under new
  tokens) through its migrated schema and the service's engine (WAL, background
  checkpoints), 500 rows a transaction;
- lookup: one identity by record token on a synchronous connection, as the
  pseudonymiser's SQLiteReader answers an unlock;
- JetStream: 1 KB messages published to a file stream synced on every write.

Each measure is taken plain and encrypted in alternation, `--repeat` pairs, and given as
the median of the wall-clock rates and of the CPU time a row (this process's, or
nats-server's): on a machine shared with other work the CPU time is the steadier.

    .venv/bin/python -m benchmarks.at_rest [--rows 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import insert

from deploy import natsserver
from services.common.db import (
    WalCheckpointer,
    build_engine,
    run_migrations,
    sqlcipher_key,
    sqlite_connect,
)
from services.pseudonymiser.models import IdentityRecord
from synthetic import generate_borough

REPO = Path(__file__).resolve().parent.parent
MIGRATIONS = REPO / "services" / "pseudonymiser" / "migrations"
RAW = sqlcipher_key("3c" * 32)
PASSPHRASE = sqlcipher_key("a passphrase of some length")
BATCH = 500


def identity_rows(count: int) -> list[dict]:
    borough = generate_borough(7, 400, date(2026, 12, 7))
    base = [r for ds in borough.datasets for r in ds.identities][:2000]
    rows = []
    for i in range(count):
        r = base[i % len(base)]
        dob = r.get("date_of_birth")
        rows.append({"record_token": f"r_{i:012d}", "partner": "bench", "dataset": "gp",
                     "level": "person", "purpose": "data", "local_id": f"L{i}",
                     "given_name": r.get("given_name"), "family_name": r.get("family_name"),
                     "date_of_birth": date.fromisoformat(dob) if dob else None,
                     "sex": r.get("sex"), "address": r.get("address"),
                     "postcode": r.get("postcode"), "norm_family": (r.get("family_name")
                                                                   or "").lower()})
    return rows


def open_ms(path: Path, key: str | None, times: int) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        con = sqlite_connect(path, key)
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        samples.append((time.perf_counter() - start) * 1000)
        con.close()
    return statistics.median(samples)


def cpu_s(pid: int | None = None) -> float:
    """User and system CPU seconds of this process (all threads) or of `pid`."""
    if pid is None:
        return time.process_time()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def insert_rate(path: Path, key: str | None, rows: list[dict]) -> tuple[float, float]:
    """(rows a second, CPU microseconds a row)."""
    url = f"sqlite+aiosqlite:///{path}"
    run_migrations(MIGRATIONS, url, key=key)
    checkpointer = WalCheckpointer(path, key=key)
    engine = build_engine(url, key=key, background_checkpoint=True)
    try:
        start, cpu = time.perf_counter(), cpu_s()
        for i in range(0, len(rows), BATCH):
            async with engine.begin() as con:
                await con.execute(insert(IdentityRecord), rows[i:i + BATCH])
            if i // BATCH % 20 == 19:  # the service checkpoints about once a second
                await asyncio.to_thread(checkpointer.run)
        elapsed, used = time.perf_counter() - start, cpu_s() - cpu
    finally:
        await engine.dispose()
        checkpointer.close()
    return len(rows) / elapsed, used / len(rows) * 1e6


def lookup_rate(path: Path, key: str | None, count: int, held: int) -> tuple[float, float]:
    """(lookups a second, CPU microseconds a lookup)."""
    con = sqlite_connect(f"file:{path}?mode=ro", key, uri=True)
    sql = ("SELECT given_name, family_name, date_of_birth, address, postcode "
           "FROM identity_records WHERE record_token = ?")
    tokens = [f"r_{(i * 7919) % held:012d}" for i in range(count)]
    start, cpu = time.perf_counter(), cpu_s()
    for token in tokens:
        con.execute(sql, (token,)).fetchall()
    elapsed, used = time.perf_counter() - start, cpu_s() - cpu
    con.close()
    return count / elapsed, used / count * 1e6


async def jetstream_rate(root: Path, cipher: str | None, messages: int
                         ) -> tuple[float, float]:
    """(messages a second, nats-server CPU microseconds a message)."""
    import nats

    await asyncio.to_thread(root.mkdir, parents=True, exist_ok=True)
    port = natsserver.free_port()
    store = root / f"js-{cipher or 'plain'}"
    conf = root / f"{cipher or 'plain'}.conf"
    extra = f'  cipher: {cipher}\n  key: "{"5a" * 32}"\n' if cipher else ""
    conf.write_text(f'listen: "127.0.0.1:{port}"\njetstream {{\n  store_dir: "{store}"\n'
                    f"  sync_interval: always\n{extra}}}\n")
    proc = natsserver.start(conf, port)
    try:
        nc = await nats.connect(f"nats://127.0.0.1:{port}")
        js = nc.jetstream()
        await js.add_stream(name="BENCH", subjects=["bench.>"])
        payload = os.urandom(512).hex().encode()  # 1 KB, incompressible
        start, cpu = time.perf_counter(), cpu_s(proc.pid)
        window = 64  # publishes in flight, as the outbox relay keeps several
        for i in range(0, messages, window):
            await asyncio.gather(*(js.publish("bench.x", payload)
                                   for _ in range(min(window, messages - i))))
        elapsed, used = time.perf_counter() - start, cpu_s(proc.pid) - cpu
        await nc.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return messages / elapsed, used / messages * 1e6


async def run(args) -> dict:
    rows = identity_rows(args.rows)
    out: dict = {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(),
                 "python": platform.python_version(), "rows": args.rows,
                 "sqlcipher_version": _cipher_version(),
                 "sqlite_versions": {"plain": sqlite3.sqlite_version,
                                     "sqlcipher": sqlcipher.sqlite_version}}
    with tempfile.TemporaryDirectory(prefix="tessera-at-rest-") as tmp:
        root = Path(tmp)
        # plain is the standard library's SQLite, older than the one SQLCipher bundles:
        # the comparison is of what a slice runs without a key and with one
        variants = (("plain", None), ("sqlcipher", RAW))
        runs: dict = {name: [] for name, _ in variants}
        for attempt in range(args.repeat):
            for name, key in variants:
                path = root / f"{name}-{attempt}.db"
                runs[name].append((*await insert_rate(path, key, rows),
                                   *lookup_rate(path, key, 20000, len(rows)),
                                   path.stat().st_size / 2**20))
        for name, measured in runs.items():
            med = [statistics.median(m[i] for m in measured) for i in range(5)]
            out[name] = {"insert_rows_per_s": round(med[0]),
                         "insert_cpu_us_per_row": round(med[1], 1),
                         "lookups_per_s": round(med[2]),
                         "lookup_cpu_us": round(med[3], 1), "db_mb": round(med[4], 1),
                         "insert_runs": [round(m[0]) for m in measured]}
        probe = root / "open.db"
        sqlite_connect(probe, RAW).execute("CREATE TABLE t (v)").connection.close()
        plain = root / "open-plain.db"
        sqlite_connect(plain).execute("CREATE TABLE t (v)").connection.close()
        pass_db = root / "open-pass.db"
        sqlite_connect(pass_db, PASSPHRASE).execute("CREATE TABLE t (v)").connection.close()
        out["open_ms"] = {"plain": round(open_ms(plain, None, 200), 3),
                          "raw_key": round(open_ms(probe, RAW, 200), 3),
                          "passphrase": round(open_ms(pass_db, PASSPHRASE, 10), 1)}
        js: dict = {c: [] for c in (None, "chachapoly", "aes")}
        for i in range(args.repeat):
            for c in js:
                js[c].append(await jetstream_rate(root / f"{c}-{i}", c, args.messages))
        out["jetstream"] = {c or "plain": {
            "msgs_per_s": round(statistics.median(m[0] for m in measured)),
            "server_cpu_us_per_msg": round(statistics.median(m[1] for m in measured), 1)}
            for c, measured in js.items()}
    return out


def _cipher_version() -> str:
    con = sqlite_connect(":memory:", RAW)
    try:
        return con.execute("PRAGMA cipher_version").fetchone()[0]
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
