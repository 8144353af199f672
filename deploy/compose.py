"""The secrets and configuration `deploy/compose.yaml` mounts, made under one directory.

    python -m deploy.compose prepare [--dir var/compose]

makes what is missing and keeps what exists (a replaced key orphans data): the
development keys (`deploy.keys`: token issuer, bus keys and trust file, record-token and
pseudonym keys, reidentify's log key), the NATS cluster's configuration and NKey seeds
(`deploy.natscluster`), the slices' HTTPS certificate (`tls/`: a development CA and one
certificate naming every slice, localhost and 127.0.0.1), and PostgreSQL's superuser
password, one role and database per slice (`db/init.sql`, run on the database's first
start) and each slice's database URL.
Run as root, each file is given to the uid that reads it (slices 10001, PostgreSQL
10002, NATS 10003) with mode 0400. Run as another user, the files stay that user's with
mode 0600 and a warning says so: containers running as other uids cannot read them
until they are handed over (for rootless Podman, `podman unshare chown`).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
from pathlib import Path

from deploy import keys, natscluster, tls
from deploy.layout import Layout
from services.common.subjects import SERVICES

NODES = ["nats-1", "nats-2", "nats-3"]
# the issuer of the tokens signed with the issuer key prepare makes, which stands in for
# the council's identity provider: not the development issuer, which production refuses
ISSUER = "https://stand-in-issuer.tessera.invalid"
SLICE_UID, POSTGRES_UID, NATS_UID = 10001, 10002, 10003
# a password goes into SQL and into a URL as it is, so it may hold nothing either reads
PASSWORD = re.compile(r"^[A-Za-z0-9_-]{16,}$")


def _secret(path: Path, make) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        natscluster.write_private(path, (make() + "\n").encode())
    return path.read_text().strip()


def database_files(root: Path) -> None:
    """The superuser's password, init.sql (a role and a database per slice) and each
    slice's URL (``db/<slice>.url``), from one password per slice kept in ``db/``."""
    db = root / "db"
    _secret(db / "superuser", lambda: secrets.token_urlsafe(24))
    statements = []
    for service in SERVICES:
        password = _secret(db / f"{service}.password", lambda: secrets.token_hex(24))
        if not PASSWORD.match(password):
            raise SystemExit(f"{db / (service + '.password')}: a database password must be "
                             "16 or more letters, digits, '-' or '_'")
        # each role connects to its own database only (pg_hba: sameuser; no PUBLIC)
        statements += [f"CREATE ROLE {service} LOGIN PASSWORD '{password}';",
                       f"CREATE DATABASE {service} OWNER {service};",
                       f"REVOKE CONNECT ON DATABASE {service} FROM PUBLIC;"]
        natscluster.write_private(db / f"{service}.url", (
            f"postgresql+asyncpg://{service}:{password}@postgres:5432/{service}\n").encode())
    natscluster.write_private(db / "init.sql", ("\n".join(statements) + "\n").encode())


def _owner(path: Path) -> int:
    parts = path.parts
    if "db" in parts and (path.name in {"superuser", "init.sql"}):
        return POSTGRES_UID
    if "nats" in parts and (path.suffix in (".conf", ".key")
                            or path.name == "route-password"):
        return NATS_UID
    return SLICE_UID


def hand_over(root: Path) -> None:
    """As root, each file to the uid that reads it, mode 0400; otherwise every file stays
    its maker's, 0600 (never readable by others). Directories are traversable."""
    as_root = os.geteuid() == 0
    for path in sorted(root.rglob("*")):
        if path.is_dir():
            path.chmod(0o755)
        elif path.suffix == ".pem" and path.parent.name == "tls":
            path.chmod(0o444)  # certificates: public, read by the nodes and every slice
        elif as_root:
            os.chown(path, _owner(path), 0)
            path.chmod(0o400)
        else:
            path.chmod(0o600)
    if not as_root:
        print(f"{root}: the files are yours, mode 0600; containers running as uid "
              f"{SLICE_UID}, {POSTGRES_UID} and {NATS_UID} cannot read them until they "
              "are given to those uids", file=sys.stderr)


def prepare(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    layout = Layout(root)
    keys.ensure_keys(layout)
    tls.ensure(root / "nats" / "tls", (*NODES, "localhost", "127.0.0.1"), client_auth=True)
    tls.ensure(root / "tls", (*SERVICES, "localhost", "127.0.0.1"))
    natscluster.write_cluster(root / "nats" / "conf", NODES, root / "nats" / "secrets",
                              tls=natscluster.mounted("/etc/nats/tls"))
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
