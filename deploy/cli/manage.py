"""`tessera agreements`, `registry`, `subject-access`, `compliance` and `decommission`:
the running services as an admin, an auditor or a data protection officer calls them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
import yaml

from deploy import admin, decommission
from deploy.cli import tables
from deploy.cli.context import Connection, Exit, Fail, connected, options, printed, token_factory


def services(conn: Connection, roles: tuple[str, ...], subject: str) -> admin.Services:
    try:
        return admin.services_for(conn, token_factory(options().layout), roles, subject)
    except ValueError as exc:
        raise Fail(str(exc), Exit.USAGE) from None


def as_admin(conn: Connection) -> admin.Services:
    return services(conn, ("admin",), "tessera-cli")


Id = Annotated[str, typer.Argument(metavar="ID")]
On = Annotated[str | None, typer.Option(metavar="YYYY-MM-DD", help="default today")]

agreements = typer.Typer(no_args_is_help=True, help="Data-sharing agreements: list, show, "
                         "end, report (talks to the running gateway; docs/agreements.md).")

AGREEMENTS = tables.rows([("id", "agreement"), ("partner", "partner"),
                          ("datasets", "datasets"), ("purposes", "purposes"),
                          ("valid_from", "from"), ("valid_to", "to"), ("ended_on", "ended"),
                          ("in_force", "in force")], title="Data-sharing agreements")


@agreements.command("list")
@connected
def agreements_list(conn: Connection) -> None:
    """Every agreement, in force or not."""
    printed(as_admin(conn).call("GET", "gateway", "/v1/agreements"), AGREEMENTS)


@agreements.command()
@connected
def show(agreement: Id, conn: Connection) -> None:
    """One agreement."""
    printed(as_admin(conn).call("GET", "gateway", f"/v1/agreements/{agreement}"),
            tables.fields(title=f"Agreement {agreement}"))


@agreements.command()
@connected
def end(agreement: Id, conn: Connection, on: On = None) -> None:
    """End an agreement: every slice removes what it holds under it, for good. A local
    federation whose demo agreement has ended starts afresh only from an empty state
    directory (`make clean-var`, the federation stopped)."""
    body = {"ended_on": on} if on else {}
    printed(as_admin(conn).call("POST", "gateway", f"/v1/agreements/{agreement}/end",
                                json=body), tables.fields(title=f"Agreement {agreement}"))


def _holdings(report: dict):
    table = tables.rows([("slice", "slice"), ("held", "held under the agreement")],
                        title=f"Held under {report['agreement']}")
    return table([{"slice": s, "held": ", ".join(f"{k} {v}" for k, v in counts.items())
                   or "nothing"} for s, counts in report["slices"].items()])


@agreements.command()
@connected
def report(agreement: Id, conn: Connection) -> None:
    """What each slice holds under an agreement (counts)."""
    printed(admin.holdings(as_admin(conn), agreement), _holdings)


registry = typer.Typer(no_args_is_help=True, help="Partners, datasets and codes, changed "
                       "while the federation runs (talks to the running gateway; "
                       "docs/registry.md).")


def _registry(found: dict):
    from rich.console import Group

    return Group(
        tables.rows([("id", "partner"), ("name", "name"), ("retired_on", "retired"),
                     ("managed_by", "managed by")], title=f"Partners (revision "
                    f"{found['revision']})")(found["partners"]),
        tables.rows([("id", "dataset"), ("kind", "kind"), ("level", "level"),
                     ("agreement", "agreement"), ("codes", "codes",
                                                  lambda c: str(len(c or []))),
                     ("retired_on", "retired")], title="Datasets")(found["datasets"]))


@registry.command("show")
@connected
def registry_show(conn: Connection) -> None:
    """The partners and datasets."""
    printed(as_admin(conn).call("GET", "gateway", "/v1/registry"), _registry)


@registry.command()
@connected
def changes(conn: Connection, after: Annotated[int, typer.Option(
        help="changes after this revision")] = 0) -> None:
    """The registry's changes, oldest first."""
    printed(as_admin(conn).call("GET", "gateway", "/v1/registry/changes",
                                params={"after": after}),
            tables.rows([("seq", "seq"), ("at", "at"), ("actor", "actor"),
                         ("entity", "entity"), ("key", "key"), ("action", "action")],
                        title="Registry changes"))


@registry.command()
@connected
def partner(partner_id: Id, name: Annotated[str, typer.Option(help="the partner's name")],
            conn: Connection) -> None:
    """Create or rename a partner."""
    printed(as_admin(conn).call("PUT", "gateway", f"/v1/registry/partners/{partner_id}",
                                json={"name": name}), tables.fields(title="Partner"))


@registry.command()
@connected
def dataset(dataset_id: Id, file: Annotated[Path, typer.Option(
        help="the dataset, YAML or JSON: partner, kind, level, one_record_per_person, "
             "agreement, codes")], conn: Connection) -> None:
    """Create or replace a dataset from a file in the registry file's dataset form."""
    body = yaml.safe_load(file.read_text()) or {}
    body.pop("id", None)
    printed(as_admin(conn).call("PUT", "gateway", f"/v1/registry/datasets/{dataset_id}",
                                json=body), tables.fields(title="Dataset"))


def _retire(kind: str, conn: Connection, ident: str, on: str | None) -> None:
    body = {"retired_on": on} if on else {}
    printed(as_admin(conn).call("POST", "gateway", f"/v1/registry/{kind}s/{ident}/retire",
                                json=body), tables.fields(title=kind.capitalize()))


@registry.command("retire-partner")
@connected
def retire_partner(partner_id: Id, conn: Connection, on: On = None) -> None:
    """Retire a partner."""
    _retire("partner", conn, partner_id, on)


@registry.command("retire-dataset")
@connected
def retire_dataset(dataset_id: Id, conn: Connection, on: On = None) -> None:
    """Retire a dataset."""
    _retire("dataset", conn, dataset_id, on)


subject_access = typer.Typer(
    no_args_is_help=True,
    help="A subject access request (UK GDPR Art. 15) as a data protection officer: open a "
         "case, search (the person's details asked at the terminal, or a JSON object on "
         "standard input), export each slice's part to its own file, close.")
Case = Annotated[str, typer.Option("--case", help="the case id")]
DpoSubject = Annotated[str, typer.Option("--subject", help="the DPO's token subject")]


def as_dpo(conn: Connection, subject: str) -> admin.Services:
    return services(conn, ("dpo",), subject)


CASES = tables.rows([("case_id", "case"), ("reference", "reference"),
                     ("requester", "requester"), ("opened_by", "opened by"),
                     ("opened_at", "opened"), ("expires_at", "expires"), ("open", "open")],
                    title="Subject access cases")


@subject_access.command("open")
@connected
def open_case(
    reference: Annotated[str, typer.Option(
        help="the council's reference for the request, never the person's name")],
    requester: Annotated[Literal["data-subject", "representative", "other"], typer.Option(
        help="who made the request")],
    justification: Annotated[str, typer.Option(help="why the case is opened, 20+ characters")],
    conn: Connection, subject: DpoSubject = "dev-dpo",
) -> None:
    """Open a case."""
    printed(as_dpo(conn, subject).call("POST", "reidentify", "/v1/subject-access/cases", json={
        "reference": reference, "requester": requester, "justification": justification}),
        tables.fields(title="Subject access case"))


@subject_access.command("list")
@connected
def list_cases(conn: Connection, subject: DpoSubject = "dev-dpo") -> None:
    """The cases."""
    printed(as_dpo(conn, subject).call("GET", "reidentify", "/v1/subject-access/cases"), CASES)


@subject_access.command()
@connected
def search(case: Case, conn: Connection, subject: DpoSubject = "dev-dpo") -> None:
    """Look the person up (asked at the terminal, never on the command line)."""
    query = {"case": case, **admin.search_terms(sys.stdin)}
    printed(as_dpo(conn, subject).call("POST", "pseudonymiser", "/v1/subject-access/search",
                                       json=query))


@subject_access.command("export")
@connected
def export_case(case: Case, pseudonym: Annotated[str, typer.Option(
        help="the person to export (from search)")], conn: Connection,
        out: Annotated[Path | None, typer.Option(help="directory for the files")] = None,
        subject: DpoSubject = "dev-dpo") -> None:
    """Each slice's part, to its own file."""
    printed(admin.export(as_dpo(conn, subject), case, pseudonym,
                         out or Path(f"subject-access-{case}-{pseudonym}")))


@subject_access.command()
@connected
def close(case: Case, conn: Connection, subject: DpoSubject = "dev-dpo") -> None:
    """Close a case."""
    printed(as_dpo(conn, subject).call("POST", "reidentify",
                                       f"/v1/subject-access/cases/{case}/close"),
            tables.fields(title="Subject access case"))


def _findings(report: dict):
    from rich.console import Group
    from rich.text import Text

    listed = report["findings"]
    return Group(tables.rows([("service", "service"), ("version", "version"),
                              ("environment", "environment"), ("https", "HTTPS"),
                              ("nats_tls", "NATS TLS")], title="Compliance")(
        [{"service": s, **a} for s, a in report["services"].items()]),
        Text("Falls short:\n  " + "\n  ".join(listed) if listed else "Nothing falls short."))


@connected
def compliance(conn: Connection, subject: Annotated[str, typer.Option(
        help="the auditor's subject")] = "tessera-auditor") -> None:
    """Evidence from every running service (version, commit, TLS, issuer, MFA, schema,
    last sweep, security log verification, encryption) in one report, with what falls
    short; exits 1 when anything does."""
    found = admin.compliance(services(conn, ("auditor",), subject))
    printed(found, _findings)
    if found["findings"]:
        raise typer.Exit(Exit.FAILED)


decommission_app = typer.Typer(
    no_args_is_help=True,
    help="End the deployment: archive (the security and access logs, heads, receipts, "
         "compliance, to --out), purge (end every agreement, wait for every slice's signed "
         "receipt), destroy (a stopped local federation's keys, databases and JetStream "
         "store); docs/decommissioning.md.")
Subject = Annotated[str, typer.Option(help="the auditor's or admin's subject")]


@decommission_app.command()
@connected
def archive(out: Annotated[Path, typer.Option(help="the archive directory")],
            conn: Connection, subject: Subject = "tessera-decommission") -> None:
    """Keep the logs, heads, receipts and compliance report."""
    api = services(conn, ("auditor",), subject)
    local = options().layout if not api.token else None
    printed(decommission.archive(api, out, admin.compliance(api), local))


@decommission_app.command()
@connected
def purge(conn: Connection, subject: Subject = "tessera-decommission") -> None:
    """End every agreement and wait for every slice's signed receipt."""
    printed(decommission.purge(services(conn, ("admin",), subject)))


@decommission_app.command()
@connected
def destroy(conn: Connection, subject: Subject = "tessera-decommission") -> None:
    """Destroy a stopped local federation's keys, databases and JetStream store."""
    printed(decommission.destroy(options().layout, services(conn, (), subject).ports))


def register(app: typer.Typer) -> None:
    panel = "Administer a running federation"
    app.add_typer(agreements, name="agreements", rich_help_panel=panel)
    app.add_typer(registry, name="registry", rich_help_panel=panel)
    app.add_typer(subject_access, name="subject-access", rich_help_panel=panel)
    app.command(rich_help_panel=panel)(compliance)
    app.add_typer(decommission_app, name="decommission", rich_help_panel=panel)
