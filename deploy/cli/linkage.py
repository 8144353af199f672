"""`tessera train`, `relink`, `review` and `linkage`: the pseudonymiser's linkage model
and its clerical review queue, as a linkage officer works them (docs/linkage.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Annotated, Literal

import typer

from deploy import admin
from deploy.cli import tables
from deploy.cli.context import Connection, Exit, Fail, connected, err, options, printed
from deploy.cli.manage import services

Subject = Annotated[str, typer.Option(help="the linkage officer's subject")]


def as_officer(conn: Connection, subject: str) -> admin.Services:
    return services(conn, ("linkage-officer",), subject)


def _status(status: dict):
    from rich.console import Group

    active = status.get("active") or {}
    job = status.get("job") or {}
    parts = [tables.fields(title="Linkage model")({
        "in use": status.get("in_use"), "trained on (records)": active.get("trained_on"),
        "held records": status.get("held_records"), "trains by itself": status.get("auto"),
        "next training at (records)": status.get("next_training_at")})]
    if job:
        parts.append(tables.fields(title="Training job", skip=("seconds",))(job))
    return Group(*parts)


def _train(conn: Connection, subject: str, force: bool, follow: bool) -> dict:
    api = as_officer(conn, subject)
    api.call("POST", "pseudonymiser", "/v1/linkage/model/train", json={"force": force})
    status = api.call("GET", "pseudonymiser", "/v1/linkage/model")
    if follow and status["job"] and status["job"]["state"] == "running":
        status = admin.follow_job(api, status)
    return status


Force = Annotated[bool, typer.Option(
    "--force", help="use the new model even if its check fails")]


@connected
def train(conn: Connection, force: Force = False,
          follow: Annotated[bool, typer.Option(
              help="progress bars until the job ends (each stage as the service reports "
                   "it: training, checking, re-linking)")] = True,
          subject: Subject = "tessera-cli") -> None:
    """Train a linkage model on the held records in the running pseudonymiser, check it,
    swap it in and re-link everything with it, pseudonyms kept. Exits 1 when the job
    fails."""
    status = _train(conn, subject, force, follow)
    printed(status, _status)
    if follow and (status.get("job") or {}).get("state") == "failed":
        raise typer.Exit(Exit.FAILED)


def relink() -> None:
    """The full re-link of every held record with the active model, the federation
    stopped (a running one re-links after each training: `tessera train`). The
    re-assignments go out when it starts again."""
    from rich.progress import Progress, SpinnerColumn, TimeElapsedColumn

    from deploy.cli.run import federation_for
    from deploy.federation import MODULES, REPO
    from deploy.running import holder

    var = options().var
    if (running := holder(var)) is not None:
        raise Fail(f"Tessera is running on {var} ({running.describe()}): stop it first, or "
                   "let the running pseudonymiser re-link after a training "
                   "(`tessera train`)", Exit.STATE)
    fed = federation_for(var, environ={})
    if not fed.layout.database_key("pseudonymiser").exists():
        raise Fail(f"no pseudonymiser database under {var}: `make run` and `make demo` "
                   "make one", Exit.STATE)
    with fed.database("pseudonymiser") as db:
        held = db.execute("SELECT count(*) FROM identity_records").fetchone()[0]
    env = {**fed._env("pseudonymiser"), "TESSERA_PSEUDONYMISER_LOG_LEVEL": "WARNING"}
    with Progress(SpinnerColumn(), "[progress.description]{task.description}",
                  TimeElapsedColumn(), console=err(), transient=True) as spinner:
        spinner.add_task(f"re-linking {held:,} held records", total=None)
        done = subprocess.run([sys.executable, "-m", MODULES["pseudonymiser"], "relink"],
                              env=env, cwd=REPO, capture_output=True, text=True)
    if done.returncode:
        raise Fail(f"relink failed:\n{done.stderr[-2000:]}")
    printed(json.loads(done.stdout), tables.fields(title="Re-link"))


review = typer.Typer(
    no_args_is_help=True,
    help="The clerical review queue of uncertain matches: list (a page at a time), show "
         "one pair, decide it.")
Pair = Annotated[str, typer.Argument(metavar="PAIR", help="the pair's id (rp_...)")]
PAGE = 50  # the API's own page when no limit is asked for


def _queue(page: dict):
    pairs, shown = page["pairs"], page["shown"]
    caption = (f"{shown} pair(s) from {page['offset'] + 1}. " if pairs else "No pairs. ") + (
        f"The queue is paged: {page['limit']} a page (the API's default is {PAGE}, 200 at "
        f"most); --offset {page['offset'] + page['limit']} for the next page, --all for "
        "every pair." if not page["all"] else "Every pair.")
    return tables.rows([("pair_id", "pair"), ("probability", "probability"),
                        ("band", "band"), ("status", "status"),
                        ("model_version", "model"), ("created_at", "queued"),
                        ("decided_by", "decided by")],
                       title="Clerical review", caption=caption)(pairs)


@review.command("list")
@connected
def review_list(
    conn: Connection,
    status: Annotated[Literal["pending", "match", "non_match", "superseded"],
                      typer.Option()] = "pending",
    limit: Annotated[int, typer.Option(min=1, max=200, help="pairs a page")] = PAGE,
    offset: Annotated[int, typer.Option(min=0, help="pairs to skip")] = 0,
    every: Annotated[bool, typer.Option("--all", help="every page")] = False,
    subject: Subject = "tessera-cli",
) -> None:
    """The queue, oldest first, a page of 50 unless told otherwise (--limit, --offset,
    --all). JSON output is the list of pairs."""
    api = as_officer(conn, subject)
    pairs: list[dict] = []
    while True:
        page = api.call("GET", "pseudonymiser", "/v1/review", params={
            "status": status, "limit": 200 if every else limit,
            "offset": offset + len(pairs)})
        pairs += page
        if not every or len(page) < 200:
            break
    shown = {"pairs": pairs, "shown": len(pairs), "offset": offset,
             "limit": limit, "all": every}
    if options().tables:
        printed(shown, _queue)
    else:
        printed(pairs)
        if not every and len(pairs) == limit:
            err().print(f"{len(pairs)} pairs: the queue may have more (--offset "
                        f"{offset + limit}, or --all)")


def _pair(pair: dict):
    from rich.console import Group

    records = pair.get("records") or []
    keys = [k for k in (records[0] if records else {}) if k != "record_token"]
    return Group(
        tables.fields(title=f"Pair {pair['pair_id']}", skip=("records", "evidence"))(pair),
        tables.rows([(k, k) for k in keys], title="Records")(records),
        tables.rows([(k, k) for k in (pair.get("evidence") or [{}])[0]],
                    title="Evidence")(pair.get("evidence") or []))


@review.command("show")
@connected
def review_show(pair: Pair, conn: Connection, subject: Subject = "tessera-cli") -> None:
    """One pair with both records and the evidence."""
    printed(as_officer(conn, subject).call("GET", "pseudonymiser", f"/v1/review/{pair}"),
            _pair)


@review.command()
@connected
def decide(pair: Pair,
           decision: Annotated[Literal["match", "non_match"], typer.Argument(
               help="match merges the two persons, non_match splits them; deciding again "
               "replaces it")],
           conn: Connection, subject: Subject = "tessera-cli") -> None:
    """Decide a pair."""
    outcome = as_officer(conn, subject).call("POST", "pseudonymiser", f"/v1/review/{pair}",
                                             json={"decision": decision})
    printed(outcome, lambda o: tables.fields(title=f"Pair {pair}")(
        {"status": o["pair"]["status"], "changes": o.get("changes"),
         "reassigned": o.get("reassigned")}))


linkage = typer.Typer(no_args_is_help=True, help="The linkage model: status (the active "
                      "model, the policy, the running or last training job), train.")


@linkage.command()
@connected
def status(conn: Connection, subject: Subject = "tessera-cli") -> None:
    """The model in use, the policy and the running or last training job."""
    printed(as_officer(conn, subject).call("GET", "pseudonymiser", "/v1/linkage/model"),
            _status)


@linkage.command("train")
@connected
def linkage_train(conn: Connection, force: Force = False,
                  follow: Annotated[bool, typer.Option(
                      "--follow", help="progress bars until the job ends")] = False,
                  subject: Subject = "tessera-cli") -> None:
    """Start a training job (`tessera train` follows it by default)."""
    printed(_train(conn, subject, force, follow), _status)


def register(app: typer.Typer) -> None:
    panel = "Linkage and scoring"
    app.command(rich_help_panel=panel)(train)
    app.command(rich_help_panel=panel)(relink)
    app.add_typer(review, name="review", rich_help_panel=panel)
    app.add_typer(linkage, name="linkage", rich_help_panel=panel)
