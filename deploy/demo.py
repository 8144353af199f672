"""The demo client: pushes a synthetic borough through the gateway's REST API exactly as
partners would, waits for the federation to settle, then shows the calibration, the top
of the cohort and one unlock. Every call goes through the generated SDK (tessera_client,
docs/clients.md). It prints no identity: only counts, pseudonyms, ids."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable, Generator
from datetime import date
from typing import Any

import httpx
from tessera_client.gateway import AuthenticatedClient as GatewayClient
from tessera_client.gateway.api.gateway import (
    get_batch_status,
    upload_events,
    upload_identities,
    upload_opt_outs,
)
from tessera_client.gateway.models import EventUpload, IdentityUpload, OptOutUpload
from tessera_client.gateway.models import ProblemDetail as GatewayProblem
from tessera_client.reidentify import AuthenticatedClient as ReidentifyClient
from tessera_client.reidentify.api.reidentify import get_cohort, unlock
from tessera_client.reidentify.models import ProblemDetail as ReidentifyProblem
from tessera_client.reidentify.models import UnlockBody
from tessera_client.scorer import AuthenticatedClient as ScorerClient
from tessera_client.scorer.api.scorer import get_calibration
from tessera_client.scorer.models import Calibration
from tessera_client.scorer.models import ProblemDetail as ScorerProblem

from synthetic.borough import Borough, generate_borough
from synthetic.people import DISTRICTS
from synthetic.truth import THRESHOLDS, calibration

RULE_ID = "oldham-gp-pilot"
PURPOSE = "early-help-triage"
MAX_CHUNK = 5000
# each kind of upload: its operation and how its rows become the SDK's body
UPLOADS = {
    "identities": (upload_identities, lambda rows: IdentityUpload.from_dict({"records": rows})),
    "events": (upload_events, lambda rows: EventUpload.from_dict({"events": rows})),
    "optouts": (upload_opt_outs, lambda rows: OptOutUpload.from_dict({"records": rows})),
}
SDK = {"gateway": GatewayClient, "scorer": ScorerClient, "reidentify": ReidentifyClient}
PROBLEMS = (GatewayProblem, ScorerProblem, ReidentifyProblem)
TokenFactory = Callable[..., str]


class DemoError(Exception):
    """A call failed; the message carries the status and problem title and detail (a
    problem never holds personal data); ``problem_type`` is the problem's type."""

    def __init__(self, message: str, problem_type: str = "", status: int | None = None):
        super().__init__(message)
        self.problem_type = problem_type
        self.status = status


class Undocumented(DemoError):
    """An answer the SDK cannot read as documented (a balancer's own error page)."""


class FreshToken(httpx.Auth):
    """A token minted for each request: a run can outlast a short-lived token, and the
    SDK's client otherwise sends the one it was made with."""

    def __init__(self, mint: Callable[[], str]):
        self.mint = mint

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = f"Bearer {self.mint()}"
        yield request


class Through(httpx.AsyncBaseTransport):
    """Sends the SDK's requests with the caller's client: its connections, TLS trust and
    proxies. The caller closes that client; closing the SDK's leaves it open."""

    def __init__(self, client: httpx.AsyncClient):
        self.client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.client.send(request, stream=True)


def answered(label: str, response: Any) -> Any:
    """The parsed body of a success, else a DemoError saying what the problem said."""
    if response.status_code < 400 and response.parsed is not None:
        return response.parsed
    problem = response.parsed if isinstance(response.parsed, PROBLEMS) else None
    said = ": ".join(str(part) for part in (problem.title, problem.detail)
                     if part) if problem else ""
    status = int(response.status_code)
    raise DemoError(f"{label} -> {status} {said}".strip(),
                    str(problem.type_) if problem else "", status)


class DemoApi:
    """The calls the demo makes, each through the SDK with a fresh short-lived token.
    Uploads, batches, the cohort and an unlock come back as the JSON they were sent as
    (the benchmarks and tests index them), the calibration as the SDK's model."""

    def __init__(self, client: httpx.AsyncClient, gateway_url: str, scorer_url: str,
                 reidentify_url: str, token_factory: TokenFactory):
        self.client = client
        self.urls = {"gateway": gateway_url.rstrip("/"), "scorer": scorer_url.rstrip("/"),
                     "reidentify": reidentify_url.rstrip("/")}
        self.token_factory = token_factory
        self._sdk: dict[str, Any] = {}

    def sdk(self, service: str, **claims) -> Any:
        """The service's SDK client for these claims (one each, kept for the run)."""
        key = json.dumps([service, claims], sort_keys=True)
        if key not in self._sdk:
            def mint() -> str:
                return self.token_factory(service=service, **claims)

            self._sdk[key] = SDK[service](
                base_url=self.urls[service], token=mint(), timeout=self.client.timeout,
                httpx_args={"auth": FreshToken(mint), "transport": Through(self.client),
                            "trust_env": False})
        return self._sdk[key]

    @staticmethod
    async def call(label: str, request: Awaitable[Any]) -> Any:
        try:
            response = await request
        except (ValueError, KeyError, TypeError) as exc:  # the SDK could not parse it
            raise Undocumented(f"{label} -> an answer not as documented") from exc
        return answered(label, response)

    async def post_rows(self, partner: str, dataset: str, kind: str, rows: list[dict],
                        key: str, attempts: int = 8) -> dict:
        """As a partner should: a 503 (the bus did not take the rows; nothing was
        accepted), a lost connection or a balancer's own error page is retried with the
        same Idempotency-Key."""
        operation, body = UPLOADS[kind]
        sdk = self.sdk("gateway", partner=partner, scope=["ingest"])
        label = f"POST /v1/datasets/{dataset}/{kind}"
        for attempt in range(1, attempts + 1):
            try:
                reply = await self.call(label, operation.asyncio_detailed(
                    dataset, client=sdk, body=body(rows), idempotency_key=key))
            except (httpx.TransportError, Undocumented):
                if attempt == attempts:
                    raise
            except DemoError as exc:
                if exc.status != 503 or attempt == attempts:
                    raise
            else:
                return reply.to_dict()
            await asyncio.sleep(0.5 * attempt)
        raise AssertionError("unreachable")

    async def batch(self, partner: str, batch_id: str) -> dict:
        reply = await self.call(f"GET /v1/batches/{batch_id}", get_batch_status.asyncio_detailed(
            batch_id, client=self.sdk("gateway", partner=partner, scope=["ingest"])))
        return reply.to_dict()

    async def calibration(self) -> Calibration:
        return await self.call(
            f"GET /v1/rules/{RULE_ID}/calibration", get_calibration.asyncio_detailed(
                RULE_ID, client=self.sdk("scorer", roles=["coordinator"])))

    def _clearance(self) -> Any:
        return self.sdk("reidentify", roles=["caseworker"], districts=list(DISTRICTS),
                        purposes=[PURPOSE])

    async def cohort(self, page: int = 500) -> list[dict]:
        """The whole cohort, a page at a time."""
        rows: list[dict] = []
        while True:
            body = await self.call(f"GET /v1/cohorts/{RULE_ID}", get_cohort.asyncio_detailed(
                RULE_ID, client=self._clearance(), limit=page, offset=len(rows)))
            rows += [member.to_dict() for member in body]
            if len(body) < page:
                return rows

    async def unlock(self, pseudonym: str) -> dict:
        reply = await self.call("POST /v1/unlock", unlock.asyncio_detailed(
            client=self._clearance(), body=UnlockBody(
                pseudonym=pseudonym, purpose=PURPOSE,
                justification="Synthetic demo: early help triage of a flagged person")))
        return reply.to_dict()


# --- pure helpers (tested without HTTP) -----------------------------------------------


def chunked(rows: list[dict], size: int) -> list[list[dict]]:
    size = max(1, min(size, MAX_CHUNK))
    return [rows[i:i + size] for i in range(0, len(rows), size)]


def idempotency_key(seed: int, partner: str, dataset: str, kind: str, index: int,
                    rows: list[dict]) -> str:
    """Same borough, same chunk -> same key, so a re-run is de-duplicated by the gateway."""
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()[:24]
    return f"demo-{seed}-{dataset}-{kind}-{index:04d}-{digest}"


def counts(reading: Calibration) -> dict[int, int]:
    """Threshold -> persons the scorer reports (a count it hides is left out)."""
    return {t.min_indicators: t.count for t in reading.thresholds if t.count is not None}


def calibration_table(truth: dict[str, dict[int, int]], scorer: dict[int, int]) -> str:
    lines = [f"{'threshold':<10}{'truth (mixed)':>15}{'truth (any)':>13}{'scorer':>9}"]
    for n in THRESHOLDS:
        reported = scorer.get(n)
        lines.append(f"{f'{n}+':<10}{truth['mixed'][n]:>15}{truth['any'][n]:>13}"
                     f"{'-' if reported is None else reported:>9}")
    return "\n".join(lines)


def cohort_table(rows: list[dict], limit: int = 10) -> str:
    """The top of the cohort, each pseudonym whole (one to paste into an unlock)."""
    width = max([len(str(row.get("pseudonym", ""))) for row in rows[:limit]] + [9]) + 2
    lines = [f"{'#':>3}  {'pseudonym':<{width}}{'level':<8}{'score':>7}{'ind':>5}{'hlth':>6}"
             f"{'non-h':>7}  area"]
    for i, row in enumerate(rows[:limit], start=1):
        score = row.get("score")
        score_text = f"{score:.2f}" if isinstance(score, (int, float)) else "-"
        lines.append(f"{i:>3}  {str(row.get('pseudonym', '')):<{width}}"
                     f"{str(row.get('level', '')):<8}{score_text:>7}"
                     f"{row.get('indicators', '-'):>5}{row.get('health', '-'):>6}"
                     f"{row.get('non_health', '-'):>7}  {row.get('area') or '-'}")
    return "\n".join(lines)


# --- the steps ------------------------------------------------------------------------


def nothing(*args) -> None:
    return None


async def upload(api: DemoApi, borough: Borough, chunk_size: int,
                 out: Callable[[str], None],
                 advance: Callable[[int], None] = nothing) -> list[tuple[str, str]]:
    """Every partner's rows, a chunk a request; ``advance`` is told each chunk's rows."""
    batches: list[tuple[str, str]] = []
    for partner, dataset, kind, rows in borough.uploads():
        accepted = rejected = 0
        chunks = chunked(rows, chunk_size)
        for index, chunk in enumerate(chunks):
            key = idempotency_key(borough.seed, partner, dataset, kind, index, chunk)
            reply = await api.post_rows(partner, dataset, kind, chunk, key)
            batches.append((partner, reply["batch_id"]))
            accepted += int(reply.get("accepted", 0))
            rejected += len(reply.get("rejected", []) or [])
            advance(len(chunk))
        out(f"{dataset:<18} {kind:<10} rows={len(rows):>6} chunks={len(chunks):>3} "
            f"accepted={accepted:>6} rejected={rejected:>4}")
    return batches


async def wait_batches(api: DemoApi, batches: list[tuple[str, str]], poll: float,
                       timeout: float, complete: Callable[[int], None] = nothing) -> None:
    """Until every batch is complete; ``complete`` is told how many are, each poll."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    pending = list(batches)
    while pending:
        still = []
        for partner, batch_id in pending:
            if (await api.batch(partner, batch_id))["status"] != "complete":
                still.append((partner, batch_id))
        pending = still
        complete(len(batches) - len(pending))
        if pending:
            if loop.time() > deadline:
                raise DemoError(f"{len(pending)} batches not complete after {timeout:.0f}s")
            await asyncio.sleep(poll)


async def settle_calibration(api: DemoApi, poll: float, stable_polls: int,
                             timeout: float) -> tuple[dict[int, int], bool]:
    """Poll until `stable_polls` consecutive readings agree and count someone; (counts,
    settled). Batches complete once their rows are linked: the linker and the scorer may
    not have counted them yet, so a calibration of nobody is still settling."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last, same = None, 0
    while True:
        current = counts(await api.calibration())
        same = same + 1 if current == last else 1
        last = current
        if same >= stable_polls and any(current.values()):
            return current, True
        if loop.time() > deadline:
            return current, False
        await asyncio.sleep(poll)


Progress = Callable[[str, int, int | None], None]  # a step, how far it is, out of


async def run_demo(gateway_url: str, scorer_url: str, reidentify_url: str,
                   token_factory: TokenFactory, seed: int, households: int, *,
                   as_of: date | None = None, chunk_size: int = MAX_CHUNK,
                   poll_interval: float = 1.0, stable_polls: int = 3,
                   timeout: float = 600.0, out: Callable[[str], None] = print,
                   progress: Progress = nothing,
                   transport: httpx.AsyncBaseTransport | None = None) -> int:
    """Returns 0 when every step succeeded (an exit code); ``progress`` is told how far
    the upload, the batches and the calibration have come."""
    borough = generate_borough(seed, households, as_of or date.today())
    people = len(borough.population.people)
    out(f"borough: seed={seed} households={households} people={people} "
        f"as_of={borough.as_of.isoformat()}")
    rows = sum(len(r) for _, _, _, r in borough.uploads())
    sent = 0

    def advance(n: int) -> None:
        nonlocal sent
        sent += n
        progress("uploading rows", sent, rows)

    async with httpx.AsyncClient(transport=transport, timeout=60.0) as client:
        api = DemoApi(client, gateway_url, scorer_url, reidentify_url, token_factory)
        batches = await upload(api, borough, chunk_size, out, advance)
        await wait_batches(api, batches, poll_interval, timeout,
                           lambda n: progress("batches complete", n, len(batches)))
        out(f"all {len(batches)} batches complete")
        progress("calibration settling", 0, None)
        scorer, settled = await settle_calibration(api, poll_interval, stable_polls, timeout)
        progress("calibration settling", 1, 1)
        out("calibration settled" if settled
            else "calibration still changing at the timeout; last reading:")
        out(calibration_table(calibration(borough.truth), scorer))
        cohort = await api.cohort()
        out(f"cohort {RULE_ID}: {len(cohort)} flagged in districts {', '.join(DISTRICTS)}")
        out(cohort_table(cohort))
        if not cohort:
            out("nothing to unlock")
            return 1
        first = cohort[0]
        try:
            reply = await api.unlock(str(first["pseudonym"]))
        except DemoError as exc:
            out(f"unlock refused: {exc}")
            return 1
        out(f"unlock of #1 succeeded: access_id={reply.get('access_id')}")
        out(unlock_hint(first, reidentify_url))
    return 0


def unlock_hint(row: dict, reidentify_url: str) -> str:
    """How to unlock a flagged person by hand (README, "Try it with curl"): a pseudonym
    from the table, with a token for the person's district (another district's token is
    told there is no active flag, as if the person were not flagged)."""
    district = row.get("area") or DISTRICTS[0]
    return (f"Unlock one yourself (a pseudonym from the table above, a token for its "
            f"district):\n"
            f"  CW=$(.venv/bin/tessera token reidentify --role caseworker --district "
            f"{district} --purpose {PURPOSE})\n"
            f"  curl -s -X POST {reidentify_url.rstrip('/')}/v1/unlock -H \"Authorization: Bearer "
            f"$CW\" \\\n    -H \"Content-Type: application/json\" -d '{{\"pseudonym\": "
            f"\"{row['pseudonym']}\", \"purpose\": \"{PURPOSE}\", \"justification\": "
            f"\"Case discussion at the early help panel\"}}'")
