"""`tessera demo`: a synthetic borough through a running local federation, with
progress bars on standard error."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TimeElapsedColumn,
)

from deploy.cli.context import (
    Connection,
    Exit,
    Fail,
    PortOption,
    err,
    no_keys,
    options,
    token_factory,
    where,
)
from deploy.layout import PORTS, Layout

AGAIN = ("To start again with the registry's agreements, stop `make run` (Ctrl-C), then "
         "`make clean-var` (it removes var/: every key and record) and `make run`.")


def federation_here(layout: Layout, gateway_url: str) -> Fail | None:
    """Why the demo cannot talk to a federation of this state directory, or None."""
    import httpx
    from tessera_client.gateway import Client
    from tessera_client.gateway.api.health import gateway_readyz

    if not (layout.issuer / "current").exists():
        return no_keys(layout)
    try:
        with Client(base_url=gateway_url, timeout=httpx.Timeout(5)) as client:
            ready = gateway_readyz.sync_detailed(client=client).status_code == 200
    except (httpx.HTTPError, ValueError, KeyError):  # nothing, or something else, answers
        ready = False
    if not ready:
        return Fail(f"the gateway does not answer at {gateway_url}. Start the federation "
                    "first (`make run`, in another terminal), then run `make demo` again.",
                    Exit.UNREACHABLE)
    return None


def bars() -> Progress:
    """The progress display on standard error: one bar a step, a spinner while a step
    has no total. What the command prints goes above it on a terminal, and to standard
    output as it is when that is a pipe."""
    return Progress(SpinnerColumn(), "[progress.description]{task.description}",
                    BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err(),
                    redirect_stdout=sys.stdout.isatty())


def demo(
    seed: Annotated[int, typer.Option()] = 7,
    households: Annotated[int, typer.Option()] = 1500,
    as_of: Annotated[datetime | None, typer.Option(
        formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
        help="generate the borough as of this date (default today); the scorer counts to "
             "its own date, so run it with TESSERA_SCORER_TODAY set to the same date to "
             "reproduce a published table")] = None,
    port: PortOption = None,
) -> None:
    """Push a synthetic borough through the gateway as partners would, then show the
    calibration, the top of the cohort (whole pseudonyms) and one unlock."""
    from deploy.demo import DemoError, run_demo

    layout = options().layout
    url = {service: where(service, Connection(port=port)) for service in PORTS}
    if reason := federation_here(layout, url["gateway"]):
        raise reason
    with bars() as display:
        tasks: dict[str, int] = {}

        def progress(step: str, done: int, total: int | None) -> None:
            if step not in tasks:
                tasks[step] = display.add_task(step, total=total)
            display.update(tasks[step], completed=done, total=total)

        try:
            code = asyncio.run(run_demo(
                gateway_url=url["gateway"], scorer_url=url["scorer"],
                reidentify_url=url["reidentify"],
                token_factory=token_factory(layout), seed=seed, households=households,
                as_of=as_of.date() if as_of else None, progress=progress))
        except DemoError as exc:
            if exc.problem_type == "urn:tessera:problem:no-agreement":
                raise Fail(f"the gateway refuses the demo's uploads ({exc}): their "
                           "data-sharing agreement is no longer in force (ended with "
                           "`tessera agreements end`, which cannot be undone, or past its "
                           f"end date). {AGAIN}", Exit.STATE) from None
            raise Fail(f"demo: {exc}") from None
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Run")(demo)
