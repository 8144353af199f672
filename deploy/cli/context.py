"""What every `tessera` command shares: the state directory and output format chosen on
the command line, development tokens, the exit codes, and the connection options of the
commands that talk to running services."""

from __future__ import annotations

import contextvars
import functools
import inspect
import json
import sys
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from deploy.layout import PORTS, Layout
from services.common.tokens import current_signing_key, mint

ISSUER = "https://issuer.tessera.local"


class Exit(IntEnum):
    """`tessera`'s exit codes (docs/operations.md, "The tessera command")."""

    OK = 0
    FAILED = 1  # a check found a fault, or a service refused the request
    USAGE = 2  # the command line is wrong (click's own code for it, which typer keeps)
    UNREACHABLE = 3  # nothing answers at a service's address
    STATE = 4  # the local state stands in the way: no keys yet, already running, ...


class Fail(Exception):
    """A mistake the user can put right: one message and an exit code, no traceback."""

    def __init__(self, message: str, code: Exit = Exit.FAILED):
        super().__init__(message)
        self.code = code


@dataclass
class Options:
    """The options before the command: `tessera --var DIR --format FORMAT ...`."""

    var: Path = Path("var")
    format: str = "auto"

    @property
    def layout(self) -> Layout:
        return Layout(self.var)

    @property
    def tables(self) -> bool:
        """Tables for a person at a terminal, JSON for a pipe or a script."""
        return self.format == "table" or (self.format == "auto" and sys.stdout.isatty())


# what the root callback chose, for the command it runs (a context variable, so each
# `main()` call in a process starts from the defaults)
chosen: contextvars.ContextVar[Options] = contextvars.ContextVar("tessera_options")


def options() -> Options:
    return chosen.get(Options())


def out() -> Console:
    """Standard output (rich finds sys.stdout when it writes, so redirecting works)."""
    return Console(highlight=False, soft_wrap=True)


def err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def no_keys(layout: Layout) -> Fail:
    return Fail(f"no development keys under {layout.keys}: `make run` creates them "
                "(or `.venv/bin/tessera keys`, without starting anything)", Exit.STATE)


def token_factory(layout: Layout, issuer: str = ISSUER):
    """Mint tokens with the local development issuer key (var/keys/issuer), as
    ``issuer`` (a compose deployment's stand-in issuer names itself otherwise)."""

    def factory(service: str, *, subject: str = "dev-user", lifetime_s: int = 600,
                **claims) -> str:
        try:
            kid, pem = current_signing_key(layout.issuer)
        except FileNotFoundError:
            raise no_keys(layout) from None
        return mint(pem, kid, issuer=issuer, audience=f"tessera-{service}",
                    subject=subject, lifetime_s=lifetime_s, **claims)

    return factory


def printed(data, table=None) -> None:
    """A command's answer: ``table(data)`` (a rich renderable) for a person at a terminal
    or with --format table, else JSON."""
    if table is not None and options().tables:
        out().print(table(data))
    else:
        print(json.dumps(data, indent=2, default=str))


# --- the connection options of commands that talk to running services ----------------

Host = Annotated[str, typer.Option(help="the services' host")]
PortOption = Annotated[list[str] | None, typer.Option(
    "--port", metavar="SERVICE=PORT",
    help="a service on another port than the default (repeatable)")]
Scheme = Annotated[Literal["http", "https"], typer.Option()]
Verify = Annotated[str | None, typer.Option(help="CA bundle for https")]
UrlOption = Annotated[list[str] | None, typer.Option(
    "--url", metavar="SERVICE=URL",
    help="a service's address, as https://reidentify.council.example (repeatable; "
         "overrides --host, --port and --scheme)")]
Token = Annotated[str | None, typer.Option(
    help="a bearer token from the identity provider, for every call (instead of "
         "minting development tokens)")]
TokenFile = Annotated[Path | None, typer.Option(help="a file holding that token")]

CONNECTION = {"host": (Host, "127.0.0.1"), "port": (PortOption, None),
              "scheme": (Scheme, "http"), "verify": (Verify, None), "url": (UrlOption, None),
              "token": (Token, None), "token_file": (TokenFile, None)}


@dataclass(frozen=True)
class Connection:
    host: str = "127.0.0.1"
    port: list[str] | None = None
    scheme: str = "http"
    verify: str | None = None
    url: list[str] | None = None
    token: str | None = None
    token_file: Path | None = None


def connected(fn):
    """Give a command the connection options; it receives them as ``conn``."""
    # annotations evaluated: typer reads them from the signature given below as they are
    signature = inspect.signature(fn, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "conn"]
    extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind,
                               default=default) for name, (kind, default) in CONNECTION.items()]

    @functools.wraps(fn)
    def command(*args, **kwargs):
        conn = Connection(**{name: kwargs.pop(name) for name in CONNECTION})
        if conn.token and conn.token_file:
            raise Fail("--token or --token-file, not both", Exit.USAGE)
        return fn(*args, conn=conn, **kwargs)

    command.__signature__ = signature.replace(parameters=[*own, *extra])
    command.__annotations__ = {**{k: v for k, v in fn.__annotations__.items() if k != "conn"},
                               **{name: kind for name, (kind, _) in CONNECTION.items()}}
    return command


def where(service: str, conn: Connection | None = None) -> str:
    """A service's address as the user chose it, for messages."""
    conn = conn or Connection()
    for override in conn.url or ():
        name, _, url = override.partition("=")
        if name == service:
            return url
    port = PORTS.get(service)
    for override in conn.port or ():
        name, _, value = override.partition("=")
        if name == service:
            port = value
    return f"{conn.scheme}://{conn.host}:{port}"


def unreachable(url: str, local: bool = True) -> Fail:
    hint = ("; start the federation with `make run` (in another terminal) and try again"
            if local else "; check the address and that the service runs")
    return Fail(f"nothing answers at {url}{hint}", Exit.UNREACHABLE)
