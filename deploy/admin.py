"""`tessera agreements`, `registry`, `linkage` and `subject-access`: talk to the running
services as an admin, a linkage officer or a data protection officer would. Against a
local federation they mint development tokens (var/keys/issuer); against a council's
deployment they take a token from its identity provider (`--token` or `--token-file`)
and each service's address (`--url SERVICE=URL`)."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import yaml

from deploy import decommission
from deploy.layout import PORTS, Layout
from services.common.export import csv_text

SLICES = ("gateway", "pseudonymiser", "linker", "scorer", "reidentify")
# where a subject access request's parts are held; each is released separately
HOLDERS = ("pseudonymiser", "linker", "scorer", "reidentify", "consent")


@dataclass
class Services:
    tokens: object  # deploy.cli.token_factory
    host: str = "127.0.0.1"
    scheme: str = "http"
    ports: dict | None = None
    verify: str | bool = True
    subject: str = "tessera-cli"
    roles: tuple[str, ...] = ("admin",)
    urls: dict[str, str] | None = None
    token: str | None = None  # the caller's own, from the identity provider

    def url(self, service: str, path: str) -> str:
        if self.urls and service in self.urls:
            return self.urls[service].rstrip("/") + path
        port = (self.ports or PORTS)[service]
        return f"{self.scheme}://{self.host}:{port}{path}"

    def _request(self, method: str, service: str, path: str, quiet: bool, **kw):
        """The service's answer; an error answer ends the command, or with ``quiet``
        raises ApiError for the caller to report."""
        token = self.token or self.tokens(service, subject=self.subject,
                                          roles=list(self.roles), org="dev-council")
        r = httpx.request(method, self.url(service, path), timeout=60, verify=self.verify,
                          headers={"Authorization": f"Bearer {token}"}, **kw)
        if r.status_code >= 400:
            if quiet:
                raise ApiError(f"{r.status_code} {r.text[:200]}")
            print(f"{service}: {r.status_code} {r.text}", file=sys.stderr)
            raise SystemExit(1)
        return r

    def call(self, method: str, service: str, path: str, *, quiet: bool = False, **kw):
        """The service's JSON answer (see ``_request`` for errors)."""
        return self._request(method, service, path, quiet, **kw).json()

    def text(self, method: str, service: str, path: str, **kw) -> str:
        """A service's answer as text (a CSV export)."""
        return self._request(method, service, path, False, **kw).text


class ApiError(Exception):
    """A service answered with an error (its status and problem detail)."""


def services_for(args, tokens, roles: tuple[str, ...], subject: str) -> Services:
    ports = dict(PORTS)
    for override in args.port or []:
        service, _, port = override.partition("=")
        ports[service] = int(port)
    urls = {}
    for override in args.url or []:
        service, _, url = override.partition("=")
        if service not in PORTS or not url.startswith(("http://", "https://")):
            raise SystemExit(f"--url takes SERVICE=URL with SERVICE one of "
                             f"{', '.join(sorted(PORTS))}, not {override!r}")
        urls[service] = url
    token = args.token
    if args.token_file:
        token = Path(args.token_file).read_text().strip()
    return Services(tokens, host=args.host, scheme=args.scheme, ports=ports,
                    verify=args.verify or True, subject=subject, roles=roles, urls=urls,
                    token=token)


def agreements(args, api: Services) -> dict | list:
    if args.action == "list":
        return api.call("GET", "gateway", "/v1/agreements")
    if args.action == "show":
        return api.call("GET", "gateway", f"/v1/agreements/{args.id}")
    if args.action == "end":
        body = {"ended_on": args.on} if args.on else {}
        return api.call("POST", "gateway", f"/v1/agreements/{args.id}/end", json=body)
    return {"agreement": args.id, "slices": {
        s: api.call("GET", s, f"/v1/agreements/{args.id}/holdings")["counts"]
        for s in SLICES}}


def registry(args, api: Services) -> dict | list:
    """Partners, datasets and codes: read, change (a dataset from a YAML or JSON file in
    the registry file's dataset form), retire."""
    if args.action == "show":
        return api.call("GET", "gateway", "/v1/registry")
    if args.action == "changes":
        return api.call("GET", "gateway", "/v1/registry/changes",
                        params={"after": args.after or 0})
    if args.action == "partner":
        return api.call("PUT", "gateway", f"/v1/registry/partners/{args.id}",
                        json={"name": args.name})
    if args.action == "dataset":
        body = yaml.safe_load(Path(args.file).read_text()) or {}
        body.pop("id", None)
        return api.call("PUT", "gateway", f"/v1/registry/datasets/{args.id}", json=body)
    kind = args.action.removeprefix("retire-")
    body = {"retired_on": args.on} if args.on else {}
    return api.call("POST", "gateway", f"/v1/registry/{kind}s/{args.id}/retire", json=body)


def subject_access(args, api: Services) -> dict | list:
    """A case's steps; `export` writes one file per slice, never one with them all."""
    if args.action == "open":
        return api.call("POST", "reidentify", "/v1/subject-access/cases", json={
            "reference": args.reference, "requester": args.requester,
            "justification": args.justification})
    if args.action == "list":
        return api.call("GET", "reidentify", "/v1/subject-access/cases")
    if args.action == "close":
        return api.call("POST", "reidentify", f"/v1/subject-access/cases/{args.case}/close")
    if args.action == "search":
        query = {"case": args.case, **search_terms(sys.stdin)}
        return api.call("POST", "pseudonymiser", "/v1/subject-access/search", json=query)
    out = Path(args.out or f"subject-access-{args.case}-{args.pseudonym}")
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    written = []
    for service in HOLDERS:
        part = api.call("GET", service, f"/v1/subject-access/{args.pseudonym}",
                        params={"case": args.case})
        written.append(private(out / f"{service}.json",
                               json.dumps(part, indent=2, default=str)))
        for key, value in part.items():  # the tables a DPO sends on, as spreadsheets
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                written.append(private(out / f"{service}-{key}.csv", csv_text(value)))
    return {"case": args.case, "pseudonym": args.pseudonym, "files": written}


EVERY = (*SLICES, "consent")


def findings_of(service: str, answer: dict) -> list[str]:
    """What in one service's compliance answer falls short of a secure deployment."""
    out = []
    if not answer["https"]:
        out.append(f"{service}: HTTPS is off")
    if not answer["nats_tls"]:
        out.append(f"{service}: NATS is not over TLS")
    if not answer["migration"]["up_to_date"]:
        out.append(f"{service}: schema at {answer['migration']['current']}, "
                   f"not {answer['migration']['head']}")
    log = answer["security_log"]
    if log["valid"] is None:
        out.append(f"{service}: security log not verified since start-up")
    elif not log["valid"] or log["failures_since_start"]:
        out.append(f"{service}: security log verification FAILED")
    if answer["environment"] != "production":
        out.append(f"{service}: environment is {answer['environment']}")
    out += [f"{service}: {refusal}" for refusal in answer["production_refusals"]]
    return out


def compliance(args, api: Services) -> dict:
    """Every service's compliance answer, and what falls short, in one report."""
    report: dict = {"generated_at": datetime.now(UTC).isoformat(), "services": {},
                    "findings": []}
    for service in EVERY:
        try:
            answer = api.call("GET", service, "/v1/ops/compliance", quiet=True)
        except (httpx.HTTPError, ApiError) as exc:
            report["findings"].append(f"{service}: no answer ({exc})")
            continue
        report["services"][service] = answer
        report["findings"] += findings_of(service, answer)
    return report


def linkage(args, api: Services) -> dict | list:
    """The linkage model: its status, or a training started; `--follow` draws the job's
    progress until it ends."""
    if args.action == "train":
        api.call("POST", "pseudonymiser", "/v1/linkage/model/train",
                 json={"force": bool(args.force)})
    status = api.call("GET", "pseudonymiser", "/v1/linkage/model")
    if args.follow and status["job"] and status["job"]["state"] == "running":
        status = follow_job(api, status)
    return status


def follow_job(api: Services, status: dict) -> dict:
    """A progress bar a stage, on standard error, polled each second: the stages the job
    has passed (those it timed) complete, the current one as far as it has gone."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(),
                  console=_stderr_console()) as bar:
        tasks: dict[str, int] = {}

        def show(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        while True:
            job = status["job"]
            ended = job["state"] != "running"
            for stage in job["seconds"]:
                if stage != job["stage"] or (ended and job["state"] == "done"):
                    show(stage, 1, 1)
            if job["stage"] not in tasks or not ended:
                show(job["stage"], job["done"], job["total"] or None)
            if ended:
                return status
            time.sleep(1)
            status = api.call("GET", "pseudonymiser", "/v1/linkage/model")


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


SEARCH_TERMS = (("family_name", "Family name", True), ("date_of_birth", "Date of birth "
                "(YYYY-MM-DD)", True), ("given_name", "Given name (optional)", False),
                ("postcode", "Postcode (optional)", False))


def search_terms(stdin) -> dict:
    """The person to look for: asked at the terminal, or a JSON object on standard input.
    Never command-line arguments, which shell history and the process list keep."""
    if not stdin.isatty():
        given = json.loads(stdin.read() or "{}")
        return {k: given[k] for k, _, _ in SEARCH_TERMS if given.get(k)}
    terms = {}
    for key, prompt, required in SEARCH_TERMS:
        value = input(f"{prompt}: ").strip()
        if value or required:
            terms[key] = value
    return terms


def private(path: Path, text: str) -> str:
    """A file only its owner can read: it holds what a slice holds about a person."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return str(path)


def connection_options(p) -> None:
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", action="append", metavar="SERVICE=PORT",
                   help="a service on another port than the default (repeatable)")
    p.add_argument("--scheme", default="http", choices=["http", "https"])
    p.add_argument("--verify", help="CA bundle for https")
    p.add_argument("--url", action="append", metavar="SERVICE=URL",
                   help="a service's address, as https://reidentify.council.example "
                        "(repeatable; overrides --host, --port and --scheme)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--token", help="a bearer token from the identity provider, for every "
                     "call (instead of minting development tokens)")
    who.add_argument("--token-file", help="a file holding that token")


def add_commands(sub, token_factory) -> None:
    def run(kind, roles: tuple[str, ...], subject: str):
        def command(args) -> int:
            api = services_for(args, token_factory(Layout(Path(args.var))), roles, subject)
            print(json.dumps(kind(args, api), indent=2, default=str))
            return 0
        return command

    p = sub.add_parser("agreements", help="data-sharing agreements: list, show, end, report "
                       "(talks to the running services)")
    p.add_argument("action", choices=["list", "show", "end", "report"])
    p.add_argument("id", nargs="?", help="the agreement (show, end, report)")
    p.add_argument("--on", help="end date (default today)")
    connection_options(p)
    p.set_defaults(func=run(agreements, ("admin",), "tessera-cli"),
                   needs={"show": ("id",), "end": ("id",), "report": ("id",)})

    p = sub.add_parser("compliance", help="evidence from every running service (version, "
                       "commit, TLS, issuer, MFA, schema, last sweep, security log "
                       "verification, encryption) in one report, with what falls short; "
                       "exits 1 when anything does")
    p.add_argument("--subject", default="tessera-auditor", help="the auditor's subject")
    connection_options(p)

    def report(args) -> int:
        api = services_for(args, token_factory(Layout(Path(args.var))), ("auditor",),
                           args.subject)
        found = compliance(args, api)
        print(json.dumps(found, indent=2, default=str))
        return 1 if found["findings"] else 0

    p.set_defaults(func=report)

    p = sub.add_parser("decommission", help="end the deployment: archive (the security "
                       "and access logs, heads, receipts, compliance, to --out), purge "
                       "(end every agreement, wait for every slice's signed receipt), "
                       "destroy (a stopped local federation's keys, databases and "
                       "JetStream store); docs/decommissioning.md")
    p.add_argument("action", choices=["archive", "purge", "destroy"])
    p.add_argument("--out", help="the archive directory (archive)")
    p.add_argument("--subject", default="tessera-decommission",
                   help="the auditor's or admin's subject")
    connection_options(p)

    def decommission_command(args) -> int:
        layout = Layout(Path(args.var))
        if args.action == "destroy":
            print(json.dumps(decommission.destroy(layout, services_for(
                args, None, (), args.subject).ports), indent=2))
            return 0
        roles = ("auditor",) if args.action == "archive" else ("admin",)
        api = services_for(args, token_factory(layout), roles, args.subject)
        if args.action == "archive":
            report = compliance(args, api)
            local = layout if not api.token else None
            done = decommission.archive(api, Path(args.out), report, local)
        else:
            done = decommission.purge(api)
        print(json.dumps(done, indent=2, default=str))
        return 0

    p.set_defaults(func=decommission_command, needs={"archive": ("out",)})

    p = sub.add_parser("registry", help="partners, datasets and codes: show, changes, "
                       "partner (create or rename), dataset (create or replace from a file), "
                       "retire-partner, retire-dataset (talks to the running gateway)")
    p.add_argument("action", choices=["show", "changes", "partner", "dataset",
                                      "retire-partner", "retire-dataset"])
    p.add_argument("id", nargs="?", help="the partner or dataset")
    p.add_argument("--name", help="the partner's name (partner)")
    p.add_argument("--file", help="the dataset, YAML or JSON: partner, kind, level, "
                   "one_record_per_person, agreement, codes (dataset)")
    p.add_argument("--after", type=int, help="changes after this revision (changes)")
    p.add_argument("--on", help="retirement date (default today)")
    connection_options(p)
    p.set_defaults(func=run(registry, ("admin",), "tessera-cli"),
                   needs={"partner": ("id", "name"), "dataset": ("id", "file"),
                          "retire-partner": ("id",), "retire-dataset": ("id",)})

    p = sub.add_parser("linkage", help="the linkage model: status (the active model, the "
                       "policy, the running or last training job), train (start one now); "
                       "--follow shows its progress (talks to the running pseudonymiser)")
    p.add_argument("action", choices=["status", "train"])
    p.add_argument("--force", action="store_true",
                   help="use the new model even if its check fails (train)")
    p.add_argument("--follow", action="store_true", help="a progress bar until the job ends")
    p.add_argument("--subject", default="tessera-cli", help="the linkage officer's subject")
    connection_options(p)
    p.set_defaults(func=lambda args: run(linkage, ("linkage-officer",), args.subject)(args))

    p = sub.add_parser("subject-access", help="a subject access request (UK GDPR Art. 15) "
                       "as a data protection officer: open a case, search (the person's "
                       "details asked at the terminal, or a JSON object on standard "
                       "input), export each slice's part to its own file, close")
    p.add_argument("action", choices=["open", "list", "search", "export", "close"])
    p.add_argument("--case", help="the case id (search, export, close)")
    p.add_argument("--reference", help="the council's reference for the request, never "
                   "the person's name (open)")
    p.add_argument("--requester", choices=["data-subject", "representative", "other"],
                   help="who made the request (open)")
    p.add_argument("--justification", help="why the case is opened, 20+ characters (open)")
    p.add_argument("--pseudonym", help="the person to export (from search)")
    p.add_argument("--out", help="directory for the exported files (export)")
    p.add_argument("--subject", default="dev-dpo", help="the DPO's token subject")
    connection_options(p)
    p.set_defaults(func=lambda args: run(subject_access, ("dpo",), args.subject)(args),
                   needs={"open": ("reference", "requester", "justification"),
                          "search": ("case",),
                          "export": ("case", "pseudonym"), "close": ("case",)})


def missing(args) -> list[str]:
    """The options the chosen action needs and was not given."""
    needs = getattr(args, "needs", {}).get(getattr(args, "action", None), ())
    return [f"--{n.replace('_', '-')}" if n != "id" else "an id" for n in needs
            if not getattr(args, n, None)]
