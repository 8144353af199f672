"""A throwaway PostgreSQL 15 server for tests (local binaries; no Docker here)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from deploy.natsserver import free_port, wait_for_port

PG_BIN = Path(os.environ.get("TESSERA_PG_BIN", "/usr/lib/postgresql/15/bin"))


def available() -> bool:
    return (PG_BIN / "pg_ctl").exists() and (os.geteuid() != 0 or shutil.which("runuser"))


@dataclass
class Postgres:
    port: int
    datadir: Path
    as_postgres: bool

    def _cmd(self, *args: str) -> list[str]:
        return (["runuser", "-u", "postgres", "--"] if self.as_postgres else []) + list(args)

    def run(self, *args: str) -> None:
        subprocess.run(self._cmd(*args), check=True, capture_output=True)

    def create_database(self, name: str, role: str, password: str) -> str:
        self.run(str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
                 "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1",
                 "-c", f"CREATE ROLE {role} LOGIN PASSWORD '{password}'",
                 "-c", f"CREATE DATABASE {name} OWNER {role}")
        return f"postgresql+asyncpg://{role}:{password}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run(self._cmd(str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-m",
                                 "fast", "stop"), capture_output=True)
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


def start() -> Postgres:
    as_postgres = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="tessera-pg-"))
    datadir = base / "data"
    if as_postgres:
        shutil.chown(base, "postgres", "postgres")
    pg = Postgres(free_port(), datadir, as_postgres)
    pg.run(str(PG_BIN / "initdb"), "-D", str(datadir), "-U", "postgres", "-A", "trust",
           "--no-sync", "-E", "UTF8")
    pg.run(str(PG_BIN / "pg_ctl"), "-D", str(datadir), "-l", str(base / "pg.log"), "-o",
           f"-p {pg.port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "start")
    wait_for_port("127.0.0.1", pg.port)
    return pg


@contextlib.contextmanager
def databases(*names: str) -> Iterator[list[str]]:
    """A PostgreSQL server for the block, with one database per name (its owner a role of
    the same name), as asyncpg URLs."""
    pg = start()
    try:
        yield [pg.create_database(name, name, "pw-test") for name in names]
    finally:
        pg.stop()
