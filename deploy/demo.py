"""The demo client: pushes a synthetic borough through the gateway's REST API exactly as
partners would, waits for the federation to settle, then shows the calibration, the top
of the cohort and one unlock. It prints no identity: only counts, pseudonyms, ids."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from datetime import date

import httpx

from synthetic.borough import Borough, generate_borough
from synthetic.people import DISTRICTS
from synthetic.truth import THRESHOLDS, calibration

RULE_ID = "oldham-gp-pilot"
PURPOSE = "early-help-triage"
MAX_CHUNK = 5000
BODY_KEY = {"identities": "records", "events": "events", "optouts": "records"}
DONE = {"complete", "completed", "done"}
FAILED = {"failed", "error"}
TokenFactory = Callable[..., str]


class DemoError(Exception):
    """A call failed; the message carries the status and problem title and detail (a
    problem never holds personal data); ``problem_type`` is the problem's type."""

    def __init__(self, message: str, problem_type: str = ""):
        super().__init__(message)
        self.problem_type = problem_type


class DemoApi:
    """The thin HTTP part: one method per call, a fresh short-lived token per request."""

    def __init__(self, client: httpx.AsyncClient, gateway_url: str, scorer_url: str,
                 reidentify_url: str, token_factory: TokenFactory):
        self.client = client
        self.gateway = gateway_url.rstrip("/")
        self.scorer = scorer_url.rstrip("/")
        self.reidentify = reidentify_url.rstrip("/")
        self.token_factory = token_factory

    def _headers(self, service: str, **claims) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token_factory(service=service, **claims)}"}

    @staticmethod
    def _check(response: httpx.Response, expected: tuple[int, ...]) -> dict | list:
        if response.status_code not in expected:
            body = {}
            if "json" in response.headers.get("content-type", ""):
                body = response.json()
                body = body if isinstance(body, dict) else {}
            said = ": ".join(str(body[k]) for k in ("title", "detail") if body.get(k))
            raise DemoError(f"{response.request.method} {response.request.url.path} -> "
                            f"{response.status_code} {said}".strip(), body.get("type", ""))
        return response.json()

    async def post_rows(self, partner: str, dataset: str, kind: str, rows: list[dict],
                        key: str, attempts: int = 8) -> dict:
        """As a partner should: a 503 (the bus did not take the rows; nothing was
        accepted) or a lost connection is retried with the same Idempotency-Key."""
        for attempt in range(1, attempts + 1):
            headers = self._headers("gateway", partner=partner, scope=["ingest"])
            headers["Idempotency-Key"] = key
            try:
                response = await self.client.post(
                    f"{self.gateway}/v1/datasets/{dataset}/{kind}",
                    json={BODY_KEY[kind]: rows}, headers=headers)
            except httpx.TransportError:
                if attempt == attempts:
                    raise
            else:
                if response.status_code != 503 or attempt == attempts:
                    return self._check(response, (200, 201, 202))
            await asyncio.sleep(0.5 * attempt)
        raise AssertionError("unreachable")

    async def batch(self, partner: str, batch_id: str) -> dict:
        response = await self.client.get(
            f"{self.gateway}/v1/batches/{batch_id}",
            headers=self._headers("gateway", partner=partner, scope=["ingest"]))
        return self._check(response, (200,))

    async def calibration(self) -> dict | list:
        response = await self.client.get(f"{self.scorer}/v1/rules/{RULE_ID}/calibration",
                                         headers=self._headers("scorer", roles=["coordinator"]))
        return self._check(response, (200,))

    def _clearance(self) -> dict[str, str]:
        return self._headers("reidentify", roles=["caseworker"], districts=list(DISTRICTS),
                             purposes=[PURPOSE])

    async def cohort(self, page: int = 500) -> list[dict]:
        """The whole cohort, a page at a time."""
        rows: list[dict] = []
        while True:
            response = await self.client.get(
                f"{self.reidentify}/v1/cohorts/{RULE_ID}", headers=self._clearance(),
                params={"limit": page, "offset": len(rows)})
            body = self._check(response, (200,))
            rows += body
            if len(body) < page:
                return rows

    async def unlock(self, pseudonym: str) -> dict:
        response = await self.client.post(
            f"{self.reidentify}/v1/unlock", headers=self._clearance(),
            json={"pseudonym": pseudonym, "purpose": PURPOSE,
                  "justification": "Synthetic demo: early help triage of a flagged person"})
        return self._check(response, (200,))


# --- pure helpers (tested without HTTP) -----------------------------------------------


def chunked(rows: list[dict], size: int) -> list[list[dict]]:
    size = max(1, min(size, MAX_CHUNK))
    return [rows[i:i + size] for i in range(0, len(rows), size)]


def idempotency_key(seed: int, partner: str, dataset: str, kind: str, index: int,
                    rows: list[dict]) -> str:
    """Same borough, same chunk -> same key, so a re-run is de-duplicated by the gateway."""
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()[:24]
    return f"demo-{seed}-{dataset}-{kind}-{index:04d}-{digest}"


_THRESHOLD_KEYS = ("min_indicators", "threshold", "indicators", "at_least", "min")
_COUNT_KEYS = ("persons", "count", "flagged", "would_flag", "n", "total")


def _threshold(value) -> int | None:
    text = str(value).strip().rstrip("+")
    return int(text) if text.isdigit() else None


def _count(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, dict):
        return next((value[k] for k in _COUNT_KEYS if isinstance(value.get(k), int)), None)
    return None


def parse_calibration(payload) -> dict[int, int]:
    """Threshold -> persons from the scorer's calibration, tolerant of its exact shape."""
    items = payload
    if isinstance(payload, dict):
        for key in ("thresholds", "calibration", "levels", "rows", "items", "persons"):
            if key in payload and isinstance(payload[key], (list, dict)):
                items = payload[key]
                break
    out: dict[int, int] = {}
    if isinstance(items, dict):
        for key, value in items.items():
            n, c = _threshold(key), _count(value)
            if n is not None and c is not None:
                out[n] = c
    elif isinstance(items, list):
        for item in items:
            if not isinstance(item, dict):
                continue
            n = next((_threshold(item[k]) for k in _THRESHOLD_KEYS if k in item), None)
            c = _count(item)
            if n is not None and c is not None:
                out[n] = c
    return out


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
            status = str((await api.batch(partner, batch_id)).get("status", "")).lower()
            if status in FAILED:
                raise DemoError(f"batch {batch_id} failed")
            if status not in DONE:
                still.append((partner, batch_id))
        pending = still
        complete(len(batches) - len(pending))
        if pending:
            if loop.time() > deadline:
                raise DemoError(f"{len(pending)} batches not complete after {timeout:.0f}s")
            await asyncio.sleep(poll)


async def settle_calibration(api: DemoApi, poll: float, stable_polls: int,
                             timeout: float) -> tuple[dict[int, int], bool]:
    """Poll until `stable_polls` consecutive readings agree; (counts, settled)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last, same = None, 0
    while True:
        current = parse_calibration(await api.calibration())
        same = same + 1 if current == last else 1
        last = current
        if same >= stable_polls:
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
