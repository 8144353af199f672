"""The secrets and configuration `deploy/compose.yaml` mounts, made under one directory.

    python -m deploy.compose prepare [--dir var/compose]

makes what is missing and keeps what exists (a replaced key orphans data): the
development keys (`deploy.keys`: token issuer, bus keys and trust file, record-token and
pseudonym keys, reidentify's log key), the NATS cluster's configuration and NKey seeds
(`deploy.natscluster`), and PostgreSQL's superuser password, one role and database per
slice (`db/init.sql`, run on the database's first start) and each slice's database URL.
Run as root, each file is given to the uid that reads it (slices 10001, PostgreSQL
10002, NATS 10003) with mode 0400; otherwise the files are made readable by all, which
only a development machine should accept.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from deploy import keys, natscluster
from deploy.layout import Layout
from services.common.subjects import SERVICES

NODES = ["nats-1", "nats-2", "nats-3"]
SLICE_UID, POSTGRES_UID, NATS_UID = 10001, 10002, 10003


def _secret(path: Path, make) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make() + "\n")
    return path.read_text().strip()


def database_files(root: Path) -> None:
    """The superuser's password, init.sql (a role and a database per slice) and each
    slice's URL (``db/<slice>.url``), from one password per slice kept in ``db/``."""
    db = root / "db"
    _secret(db / "superuser", lambda: secrets.token_urlsafe(24))
    statements = []
    for service in SERVICES:
        password = _secret(db / f"{service}.password", lambda: secrets.token_hex(24))
        statements += [f"CREATE ROLE {service} LOGIN PASSWORD '{password}';",
                       f"CREATE DATABASE {service} OWNER {service};"]
        (db / f"{service}.url").write_text(
            f"postgresql+asyncpg://{service}:{password}@postgres:5432/{service}\n")
    (db / "init.sql").write_text("\n".join(statements) + "\n")


def _owner(path: Path) -> int:
    parts = path.parts
    if "db" in parts and (path.name in {"superuser", "init.sql"}):
        return POSTGRES_UID
    if "nats" in parts and path.suffix == ".conf":
        return NATS_UID
    return SLICE_UID


def hand_over(root: Path) -> None:
    """Each file to the uid that reads it, mode 0400; directories traversable."""
    as_root = os.geteuid() == 0
    for path in sorted(root.rglob("*")):
        if path.is_dir():
            path.chmod(0o755)
        elif as_root:
            os.chown(path, _owner(path), 0)
            path.chmod(0o400)
        else:
            path.chmod(0o444)


def prepare(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    layout = Layout(root)
    keys.ensure_keys(layout)
    natscluster.write_cluster(root / "nats" / "conf", NODES, root / "nats" / "secrets")
    database_files(root)
    hand_over(root)
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.compose", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="make the secrets and configuration compose mounts")
    p.add_argument("--dir", default="var/compose", help="where (default var/compose)")
    args = parser.parse_args(argv)
    print(prepare(Path(args.dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
