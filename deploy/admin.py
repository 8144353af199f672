"""The HTTP side of `tessera agreements`, `registry`, `linkage`, `subject-access`,
`compliance` and `decommission`: talk to the running services as an admin, a linkage
officer, an auditor or a data protection officer would. Against a
local federation they mint development tokens (var/keys/issuer); against a council's
deployment they take a token from its identity provider (`--token` or `--token-file`)
and each service's address (`--url SERVICE=URL`)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from deploy.layout import PORTS
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

    def _request(self, method: str, service: str, path: str, **kw):
        """The service's answer; an error answer raises ApiError (httpx's errors pass:
        the command line says what nothing answering means)."""
        token = self.token or self.tokens(service, subject=self.subject,
                                          roles=list(self.roles), org="dev-council")
        r = httpx.request(method, self.url(service, path), timeout=60, verify=self.verify,
                          headers={"Authorization": f"Bearer {token}"}, **kw)
        if r.status_code >= 400:
            raise ApiError(service, r)
        return r

    def call(self, method: str, service: str, path: str, **kw):
        """The service's JSON answer (see ``_request`` for errors)."""
        return self._request(method, service, path, **kw).json()

    def text(self, method: str, service: str, path: str, **kw) -> str:
        """A service's answer as text (a CSV export)."""
        return self._request(method, service, path, **kw).text

    def content(self, method: str, service: str, path: str, **kw) -> bytes:
        """A service's answer as bytes (a chart)."""
        return self._request(method, service, path, **kw).content


class ApiError(Exception):
    """A service answered with an error: its status and problem title and detail (a
    problem never holds personal data)."""

    def __init__(self, service: str, response: httpx.Response):
        self.service, self.status = service, response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        self.problem = body if isinstance(body, dict) else {}
        said = " ".join(str(self.problem[k]) for k in ("title", "detail") if self.problem.get(k))
        super().__init__(f"{service}: {self.status} {said or response.text[:200]}".strip())


def services_for(conn, tokens, roles: tuple[str, ...], subject: str) -> Services:
    """The services as the connection options (``deploy.cli.context.Connection``) name
    them, called with the given token or with development tokens from ``tokens``."""
    ports = dict(PORTS)
    for override in conn.port or []:
        service, _, port = override.partition("=")
        if service not in PORTS or not port.isdigit():
            raise ValueError(f"--port takes SERVICE=PORT with SERVICE one of "
                             f"{', '.join(sorted(PORTS))}, not {override!r}")
        ports[service] = int(port)
    urls = {}
    for override in conn.url or []:
        service, _, url = override.partition("=")
        if service not in PORTS or not url.startswith(("http://", "https://")):
            raise ValueError(f"--url takes SERVICE=URL with SERVICE one of "
                             f"{', '.join(sorted(PORTS))}, not {override!r}")
        urls[service] = url
    token = conn.token
    if conn.token_file:
        token = Path(conn.token_file).read_text().strip()
    return Services(tokens, host=conn.host, scheme=conn.scheme, ports=ports,
                    verify=conn.verify or True, subject=subject, roles=roles, urls=urls,
                    token=token)


def export(api: Services, case: str, pseudonym: str, out: Path) -> dict:
    """A subject access case's release for one person: one file per slice, never one
    with them all."""
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    written = []
    for service in HOLDERS:
        part = api.call("GET", service, f"/v1/subject-access/{pseudonym}",
                        params={"case": case})
        written.append(private(out / f"{service}.json",
                               json.dumps(part, indent=2, default=str)))
        for key, value in part.items():  # the tables a DPO sends on, as spreadsheets
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                written.append(private(out / f"{service}-{key}.csv", csv_text(value)))
    return {"case": case, "pseudonym": pseudonym, "files": written}


def holdings(api: Services, agreement: str) -> dict:
    """What each slice holds under an agreement (counts)."""
    return {"agreement": agreement, "slices": {
        s: api.call("GET", s, f"/v1/agreements/{agreement}/holdings")["counts"]
        for s in SLICES}}


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


def compliance(api: Services) -> dict:
    """Every service's compliance answer, and what falls short, in one report."""
    report: dict = {"generated_at": datetime.now(UTC).isoformat(), "services": {},
                    "findings": []}
    for service in EVERY:
        try:
            answer = api.call("GET", service, "/v1/ops/compliance")
        except (httpx.HTTPError, ApiError) as exc:
            report["findings"].append(f"{service}: no answer ({exc})")
            continue
        report["services"][service] = answer
        report["findings"] += findings_of(service, answer)
    return report


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
