"""`tessera calibration` (how many each threshold would select, as a chart in the
terminal or a file) and `tessera verify-log` (the access log's chain and signed heads)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group
from rich.table import Table
from rich.text import Text

from deploy.cli import tables
from deploy.cli.context import Connection, Exit, Fail, connected, err, printed
from deploy.cli.manage import services

RULE = "oldham-gp-pilot"
WIDTH = 40  # characters of the longest bar


def _bars(title: str, items: list[tuple[str, int | None, bool]]) -> Table:
    """One labelled bar an item, scaled to the largest; a hidden count says so."""
    table = Table(title=title, show_header=False, box=None, title_justify="left")
    table.add_column(justify="right")
    table.add_column()
    top = max([count or 0 for _, count, _ in items] + [1])
    for label, count, highlight in items:
        style = "bold dark_orange" if highlight else "grey62"
        if count is None:
            table.add_row(label, Text("hidden (could single someone out)", style="italic"))
            continue
        bar = "█" * (max(1 if count else 0, round(WIDTH * count / top)))
        table.add_row(Text(label, style="bold" if highlight else ""),
                      Text.assemble((bar, style), f" {count}"))
    return table


def chart(cal: dict) -> Group:
    """The calibration as bars: each indicator threshold (the rule's own highlighted),
    then the rule as it stands per area: the same chart as the scorer's SVG."""
    unit, current = cal["unit"], cal["conditions"]["min_indicators"]
    thresholds = _bars(f"{unit.capitalize()} selected at each threshold (with the rule's "
                       "other conditions)",
                       [(f"{t['min_indicators']}+ indicators", t["count"],
                         t["min_indicators"] == current) for t in cal["thresholds"]])
    total = cal["current"]["count"]
    areas = _bars(f"Selected by the rule as it stands, per area (total "
                  f"{'hidden' if total is None else total})",
                  [(a["area"] or "no area", a["count"], True)
                   for a in cal["current"]["areas"]])
    return Group(Text(f"{cal['rule_id']} v{cal['version']}: {unit} selected by threshold "
                      "(counts only, no identities)", style="bold"), thresholds, Text(""),
                 areas)


@connected
def calibration(
    conn: Connection,
    rule: Annotated[str, typer.Argument(help="the rule")] = RULE,
    out_file: Annotated[Path | None, typer.Option(
        "--out", metavar="FILE", help="save the chart too: FILE.svg or FILE.png")] = None,
    subject: Annotated[str, typer.Option(help="the co-ordinator's subject")] = "tessera-cli",
) -> None:
    """How many each threshold would select, overall and per area, as a chart (counts
    that could single anyone out are hidden: docs/disclosure.md)."""
    if out_file is not None and out_file.suffix.lower() not in (".svg", ".png"):
        raise Fail("--out takes a file ending .svg or .png", Exit.USAGE)
    api = services(conn, ("coordinator",), subject)
    printed(api.call("GET", "scorer", f"/v1/rules/{rule}/calibration"), chart)
    if out_file is None:
        return
    # the scorer draws both (services/common/charts.py): nothing to install here
    kind = out_file.suffix.lower().lstrip(".")
    out_file.write_bytes(api.content("GET", "scorer", f"/v1/rules/{rule}/calibration.{kind}"))
    err().print(f"chart saved to {out_file}")


@connected
def verify_log(conn: Connection, subject: Annotated[str, typer.Option(
        help="the auditor's subject")] = "tessera-auditor") -> None:
    """Check the running reidentify's access log: its chain recomputed and every signed
    head checked against it. Exits 1 when it is not valid. (With reidentify stopped:
    `python -m services.reidentify verify-log`.)"""
    found = services(conn, ("auditor",), subject).call("GET", "reidentify",
                                                       "/v1/access-log/verify")
    printed(found, tables.fields(title="Access log verification"))
    if not found["valid"]:
        raise typer.Exit(Exit.FAILED)


def register(app: typer.Typer) -> None:
    panel = "Linkage and scoring"
    app.command(rich_help_panel=panel)(calibration)
    app.command("verify-log", rich_help_panel="Administer a running federation")(verify_log)
