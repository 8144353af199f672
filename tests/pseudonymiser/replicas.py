"""Pseudonymiser replicas as real processes on one database, and a synthetic load with
ground truth to check what they linked."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import text

from deploy.natsserver import free_port
from services.common import messages as m
from services.common.db import build_engine
from synthetic import generate_borough
from tests.pseudonymiser.conftest import Federation
from tests.support import StandInRegistry

REPO = Path(__file__).resolve().parents[2]


def replica_settings(nats_env, database_url: str) -> dict:
    """What every replica is given: one database, the bus, the pseudonym keys."""
    return {**nats_env.settings_kwargs("pseudonymiser", database_url),
            "person_key_path": nats_env.layout.key("pseudonym-person"),
            "household_key_path": nats_env.layout.key("pseudonym-household"),
            "learn_auto": False}  # no re-link by a new model in the middle of a test


@asynccontextmanager
async def other_services(nats_env):
    """The other services' part, and the gateway's registry (replicas reconcile their
    agreements with it before they are ready)."""
    fed = Federation(nats_env)
    await fed.start()
    registry = await StandInRegistry(fed.gateway, [m.AgreementNotice(
        agreement="dsa-writer", revision=1, datasets=["gp-p81001"],
        purposes=["early-help-triage"], valid_from=date(2026, 1, 1))]).start()
    fed.registry = registry
    try:
        yield fed
    finally:
        await registry.stop()
        await fed.close()


def env_of(settings: dict) -> dict[str, str]:
    """Settings keyword arguments as the pseudonymiser's environment variables."""
    env = {}
    for name, value in settings.items():
        if isinstance(value, list | tuple):
            value = json.dumps([str(v) for v in value])
        env[f"TESSERA_PSEUDONYMISER_{name.upper()}"] = str(value)
    return env


@dataclass
class Replica:
    name: str
    port: int
    log: Path
    proc: subprocess.Popen
    verify: object = None  # under HTTPS: an SSL context trusting its certificate

    @property
    def url(self) -> str:
        return f"{'http' if self.verify is None else 'https'}://127.0.0.1:{self.port}"

    def readiness(self) -> dict | None:
        try:
            r = httpx.get(self.url + "/readyz", timeout=2.0, verify=self.verify or True)
        except httpx.HTTPError:
            return None
        return r.json() if r.status_code == 200 else None

    def role(self) -> str | None:
        ready = self.readiness()
        return ready["role"] if ready else None

    def wait_ready(self, timeout: float = 60.0) -> dict:
        """Blocks: call it in a thread, so the test's loop (a stand-in registry, say)
        runs meanwhile."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"replica {self.name} exited with {self.proc.returncode}; "
                                   f"see {self.log}")
            ready = self.readiness()
            if ready is not None:
                return ready
            if time.monotonic() > deadline:
                raise TimeoutError(f"replica {self.name} not ready after {timeout} s")
            time.sleep(0.1)

    def signal(self, sig: int) -> None:
        os.killpg(self.proc.pid, sig)

    def kill(self) -> None:
        """kill -9: no shutdown, no release of the lease, no acks."""
        self.signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        self.signal(signal.SIGCONT)  # a frozen one cannot stop
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def start_replica(settings: dict, name: str, logs: Path, *, verify=None,
                  **extra) -> Replica:
    port = free_port()
    log = logs / f"pseudonymiser-{name}.log"
    base = {k: v for k, v in os.environ.items() if not k.startswith("TESSERA_")}
    env = {**base, **env_of({**settings, "port": port, "replica": name, **extra}),
           "PYTHONUNBUFFERED": "1"}
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "services.pseudonymiser", "serve"],
                                env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    return Replica(name, port, log, proc, verify)


def wait_for_writer(replicas: list[Replica], timeout: float = 60.0) -> Replica:
    deadline = time.monotonic() + timeout
    while True:
        writers = [r for r in replicas if r.role() == "writer"]
        if writers:
            return writers[0]
        if time.monotonic() > deadline:
            raise TimeoutError("no replica became the writer")
        time.sleep(0.05)


@dataclass
class Load:
    """Person-level identity batches of a clean synthetic borough (no typos, no moves:
    every copy of a person is the same person to linkage), in the order a partner would
    send them, with who each record truly is."""

    batches: list[tuple[str, list[dict]]]  # (dataset, rows with their record tokens)
    person_of: dict[str, str]  # record token -> true person

    @property
    def records(self) -> int:
        return len(self.person_of)


def synthetic_load(households: int, rows_per_batch: int, seed: int = 31) -> Load:
    """Record tokens are new each time: assignments of another test's records, left on
    the stream, never pass for this one's."""
    tag = secrets.token_hex(3)
    borough = generate_borough(seed, households, date(2025, 3, 31), error_rate=0.0,
                               noise_rate=0.0, move_share=0.0)
    batches, person_of = [], {}
    for ds in borough.datasets:
        if ds.level != "person":
            continue
        rows = []
        for row in ds.identities:
            token = f"r{tag}_{ds.dataset}_{row['local_id']}"
            person_of[token] = borough.truth.records[(ds.partner, ds.dataset,
                                                      row["local_id"])].person_id
            rows.append({**row, "record_token": token})
        batches += [(ds.dataset, rows[i:i + rows_per_batch])
                    for i in range(0, len(rows), rows_per_batch)]
    return Load(batches, person_of)


class Database:
    """The replicas' database, read as a test (SQLite or PostgreSQL)."""

    def __init__(self, url: str):
        self.url = url
        self.engine = build_engine(url)

    async def _rows(self, sql: str) -> list:
        async with self.engine.connect() as con:
            return list(await con.execute(text(sql)))

    async def count(self, table: str) -> int:
        return (await self._rows(f"SELECT count(*) FROM {table}"))[0][0]  # noqa: S608

    async def linked(self) -> dict[str, str]:
        """record token -> the pseudonym of the person it is in now (merges followed)."""
        persons = {pid: (pseudonym, into) for pid, pseudonym, into in await self._rows(
            "SELECT id, pseudonym, merged_into FROM persons")}
        out = {}
        for token, pid in await self._rows(
                "SELECT record_token, person_id FROM identity_records"):
            while pid is not None and persons[pid][1] is not None:
                pid = persons[pid][1]
            out[token] = persons[pid][0] if pid is not None else None
        return out

    async def fence(self) -> tuple[int, str | None]:
        return tuple((await self._rows("SELECT fence, holder FROM write_lock"))[0])

    async def close(self) -> None:
        await self.engine.dispose()
