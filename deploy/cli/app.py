"""The `tessera` command: its options before any command, its commands, and how a
common mistake becomes one line and an exit code instead of a traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import httpx
import typer
from typer.core import TyperGroup

from deploy.admin import ApiError
from deploy.cli import demo, linkage, manage, nats, run, scoring
from deploy.cli.context import Exit, Fail, Options, chosen, err, unreachable

EXIT_CODES = """Exit codes: 0 done; 1 a check found a fault or a service refused the request;
2 the command line is wrong; 3 nothing answers at a service's address; 4 the local state
stands in the way (no keys yet, already running, the demo's agreement ended)."""


def local(url: str) -> bool:
    return httpx.URL(url).host in ("127.0.0.1", "localhost", "::1")


class Commands(TyperGroup):
    """The root group: turns the mistakes a newcomer makes into a message and an exit
    code."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except Fail as exc:
            failed = exc
        except ApiError as exc:
            failed = Fail(str(exc))
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            url = str(exc.request.url.copy_with(path="/", query=None)).rstrip("/")
            failed = unreachable(url, local(url))
        except httpx.HTTPError as exc:
            failed = Fail(f"the call failed: {exc}", Exit.UNREACHABLE)
        except SystemExit as exc:
            if not isinstance(exc.code, str):
                raise
            failed = Fail(exc.code)
        err().print(f"[bold red]tessera:[/] {failed}", highlight=False, markup=True)
        raise typer.Exit(failed.code)


app = typer.Typer(
    name="tessera", cls=Commands, no_args_is_help=True,
    help="Run Tessera on this machine and talk to a running federation: start it, mint "
         "development tokens, push a synthetic borough, manage agreements and the "
         "registry, train the linkage model, work the review queue, see a rule's "
         "calibration, check the access log.",
    epilog=EXIT_CODES, rich_markup_mode="markdown", pretty_exceptions_show_locals=False)


@app.callback()
def root(
    var: Annotated[Path, typer.Option(help="the state directory")] = Path("var"),
    output: Annotated[Literal["auto", "table", "json"], typer.Option(
        "--format",
        help="answers as tables or JSON (auto: tables at a terminal, JSON in a pipe)")]
    = "auto",
) -> None:
    chosen.set(Options(var=var, format=output))


for module in (run, demo, manage, linkage, scoring, nats):
    module.register(app)


def main(argv: list[str] | None = None) -> int:
    """Run `tessera` with ``argv`` (default: the command line); its exit code."""
    try:
        app(args=argv, prog_name="tessera")
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return Exit.FAILED
    return Exit.OK
