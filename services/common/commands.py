"""A slice's command line, `python -m <slice> [serve|migrate|health|provision|...]`:
serve, migrate, health, provision, backup and restore for every slice, and each slice's
own commands declared beside them in its `__main__.py`, so `--help` lists them all."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from pydantic import ValidationError

from services.common import logs
from services.common.db import run_migrations
from services.common.runtime import tune_interpreter
from services.common.settings import ServiceSettings, WebSettings


def _no_options(parser: argparse.ArgumentParser) -> None:
    return None


@dataclass(frozen=True)
class Command:
    """A command of a slice beside serve and migrate: what it is for, its options, and
    what it runs with the parsed options and the slice's settings (its exit status)."""

    help: str
    run: Callable[[argparse.Namespace, Any], int]
    options: Callable[[argparse.ArgumentParser], None] = _no_options


def health_command(sub) -> None:
    p = sub.add_parser("health", help="exit 0 if the process serving on 127.0.0.1 and its "
                       "port answers GET /readyz with 200, else 1 (a container's check)")
    p.add_argument("--timeout", type=float, default=3.0, help="seconds (default 3)")


def parser_for(prog: str, commands: dict[str, Command]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog)
    sub = parser.add_subparsers(dest="command", metavar="command")
    sub.add_parser("serve", help="run the service (the default)")
    sub.add_parser("migrate", help="upgrade its database to the latest schema")
    health_command(sub)
    # any slice's image can provision, so a deployment needs no image of its own for it
    p = sub.add_parser("provision", help="create or update the NATS streams and consumers "
                       "of the whole federation, as the provisioner user")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--nkey-file", type=Path, help="the provisioner's NKey seed")
    who.add_argument("--password-file", type=Path, help="the provisioner's password")
    p.add_argument("--replicas", type=int, default=1, choices=[1, 3, 5],
                   help="copies of every stream across the cluster's nodes (default 1)")
    p = sub.add_parser("backup", help="copy its SQLite database, consistent, while it runs")
    p.add_argument("--to", type=Path, required=True, help="the backup file")
    p = sub.add_parser("restore", help="replace its SQLite database with a backup (the "
                       "service stopped), then bring the schema up to date")
    p.add_argument("--from", dest="source", type=Path, required=True, help="the backup file")
    p = sub.add_parser("rekey", help="encrypt its SQLite database under a new key (the "
                       "service stopped); then point DATABASE_KEY_FILE at the new key")
    p.add_argument("--new-key-file", type=Path, required=True,
                   help="the new key: 64 hex digits, or a passphrase")
    for name, command in commands.items():
        command.options(sub.add_parser(name, help=command.help, description=command.help))
    return parser


def health(settings: WebSettings, timeout: float = 3.0) -> int:
    """GET /readyz of the slice these settings serve, on loopback, over HTTPS when they
    name a certificate: 0 when it answers 200; otherwise 1 and one line on stderr."""
    import http.client
    import ssl
    import urllib.error
    import urllib.request

    from services.common.health import unready

    scheme, handlers = "http", []
    if settings.https:
        scheme = "https"
        # the probe checks its own process on loopback, whose certificate names the
        # service and not 127.0.0.1, so it does not verify it
        unverified = ssl.create_default_context()
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        handlers.append(urllib.request.HTTPSHandler(context=unverified))
    url = f"{scheme}://127.0.0.1:{settings.port}/readyz"
    # no proxy from the environment may stand between the probe and its own process
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), *handlers)
    try:
        with opener.open(url, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:  # it answered, not ready: which checks fail, why
        print(f"health: {url}: {exc.code} {unready(exc.read())}", file=sys.stderr)
        return 1
    # refused, timed out, TLS failed, or not HTTP at all
    except (OSError, http.client.HTTPException) as exc:
        print(f"health: {url}: {exc}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"health: {url}: {status}", file=sys.stderr)
        return 1
    return 0


def rekey(settings: ServiceSettings, new_key_file: Path) -> int:
    """SQLCipher's rekey of the slice's database, from the key it is configured with to
    the one in ``new_key_file`` (every page re-encrypted; run with the service stopped)."""
    from services.common.db import (
        DatabaseKeyError,
        read_database_key,
        sqlite_connect,
        sqlite_path,
    )

    path, key = sqlite_path(settings.database_url), settings.database_key()
    if path is None or key is None:
        print("rekey: only an encrypted SQLite database has a key to change "
              "(set DATABASE_KEY_FILE to its current key)", file=sys.stderr)
        return 2
    try:
        new = read_database_key(new_key_file)
        con = sqlite_connect(path, key)
    except DatabaseKeyError as exc:
        print(f"rekey: {exc}", file=sys.stderr)
        return 1
    try:
        con.execute(f"PRAGMA rekey = {new}")
    finally:
        con.close()
    print(f"rekey: {path} is now encrypted under {new_key_file}")
    return 0


def service_main(settings_cls: type[ServiceSettings], create_app: Callable[..., FastAPI],
                 migrations_dir: Path, commands: dict[str, Command] | None = None,
                 argv: list[str] | None = None) -> int:
    """Parse the command line and run the command; returns the exit status."""
    commands = commands or {}
    package = create_app.__module__.rpartition(".")[0]
    args = parser_for(f"python -m {package}", commands).parse_args(argv)
    settings = load_settings(settings_cls, package)
    if settings is None:
        return 2
    if args.command == "health":
        return health(settings, args.timeout)
    logs.configure(settings.service_name, settings.log_level)
    if args.command in commands:
        return commands[args.command].run(args, settings)
    if args.command == "migrate":
        run_migrations(migrations_dir, settings.database_url, key=settings.database_key())
        return 0
    if args.command == "rekey":
        return rekey(settings, args.new_key_file)
    if args.command in ("backup", "restore"):
        import json

        from services.common import backup

        try:
            if args.command == "backup":
                done = backup.backup(settings.database_url, args.to, settings.database_key())
            else:
                done = backup.restore(settings.database_url, args.source, settings.database_key())
                run_migrations(migrations_dir, settings.database_url, key=settings.database_key())
        except backup.BackupError as exc:
            print(f"{args.command}: {exc}", file=sys.stderr)
            return 1
        print(json.dumps(done))
        return 0
    if args.command == "provision":
        import asyncio

        from services.common.provisioning import provision

        password = args.password_file.read_text().strip() if args.password_file else ""
        asyncio.run(provision(settings.nats_url, password, replicas=args.replicas,
                              tls_ca_file=settings.nats_tls_ca_file,
                              nkey_file=args.nkey_file))
        return 0
    tune_interpreter(settings)
    return serve(settings, create_app(settings))


def load_settings(settings_cls: type[WebSettings], package: str) -> WebSettings | None:
    """The settings from the environment, or None after one line on stderr per refused
    setting: a clear refusal, not a traceback, and never a value (it may be a secret)."""
    try:
        return settings_cls()
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            where = ".".join(str(p) for p in error["loc"])
            print(f"{package}: configuration refused: {where + ': ' if where else ''}"
                  f"{error['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return None


def serve(settings: WebSettings, app: FastAPI) -> int:
    """Serve ``app`` with uvicorn on the settings' host and port (HTTPS with a certificate)."""
    import uvicorn

    tls = {}
    if settings.https:
        tls = {"ssl_certfile": str(settings.tls_cert_file),
               "ssl_keyfile": str(settings.tls_key_file)}
    # access lines come from services.common.observe: uvicorn's would show the raw path
    uvicorn.run(app, host=settings.host, port=settings.port,
                log_config=None, access_log=False, server_header=False, **tls)
    return 0


def web_main(settings_cls: type[WebSettings], create_app: Callable[..., FastAPI],
             argv: list[str] | None = None, package: str | None = None) -> int:
    """`python -m <package> [serve|health]` for a process with no database and no NATS
    (the console)."""
    package = package or create_app.__module__.rpartition(".")[0]
    parser = argparse.ArgumentParser(prog=f"python -m {package}")
    sub = parser.add_subparsers(dest="command", metavar="command")
    sub.add_parser("serve", help="serve it (the default)")
    health_command(sub)
    args = parser.parse_args(argv)
    settings = load_settings(settings_cls, package)
    if settings is None:
        return 2
    if args.command == "health":
        return health(settings, args.timeout)
    logs.configure(settings.service_name, settings.log_level)
    return serve(settings, create_app(settings))
