"""The demo client against a stand-in federation (httpx.MockTransport) answering as the
OpenAPI documents say: call order, chunking, idempotency keys, tokens, problems turned
into one line, and that it prints no identity."""

from __future__ import annotations

import copy
import json
from collections import Counter
from datetime import date

import httpx
import pytest
from tessera_client.scorer.models import Calibration

from deploy.demo import DemoApi, DemoError, chunked, counts, idempotency_key, run_demo
from deploy.openapi import SPECS
from synthetic import generate_borough

AS_OF = date(2026, 3, 15)
URLS = {"gateway_url": "http://gateway.test", "scorer_url": "http://scorer.test:8003",
        "reidentify_url": "http://reidentify.test"}
PARTNER = {"gp-p81001": "gp-p81001", "school-census": "schools-la",
           "police-callouts": "police-gmp", "csc-contacts": "csc-la",
           "housing-tenancies": "housing-fch"}
SECRET_NAME = "Zebedee"
EVENT = {"local_id": "L1", "code": "GP-ASTHMA", "occurred_on": "2026-03-01", "event_id": "e1"}


def token_factory(service: str, **claims) -> str:
    return json.dumps({"aud": f"tessera-{service}", **claims})


def example(service: str, schema: str) -> dict:
    """The example a service's document gives for one of its schemas."""
    doc = json.loads((SPECS / f"{service}.json").read_text())
    return copy.deepcopy(doc["components"]["schemas"][schema]["examples"][0])


def problem(status: int, title: str, detail: str = "", type_: str = "about:blank"
            ) -> httpx.Response:
    return httpx.Response(status, json={"type": type_, "title": title, "status": status,
                                        "detail": detail},
                          headers={"content-type": "application/problem+json"})


def reading(*persons: int) -> dict:
    """A calibration as the scorer answers it, with these counts at 3+, 4+, 5+."""
    body = example("scorer", "Calibration")
    body["thresholds"] = [{"min_indicators": n, "count": c, "count_without_categories": c,
                           "areas": []} for n, c in zip((3, 4, 5), persons, strict=True)]
    return body


class FakeFederation:
    def __init__(self, unlock_status: int = 200):
        self.posts: list[tuple[str, str, int, str]] = []
        self.batches: dict[str, str] = {}
        self.polls: Counter = Counter()
        self.calibration_calls = 0
        self.unlock_status = unlock_status
        self.unlock_body: dict | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        claims = json.loads(request.headers["authorization"].removeprefix("Bearer "))
        host, path = request.url.host, request.url.path
        if host == "gateway.test":
            assert claims["aud"] == "tessera-gateway" and claims["scope"] == ["ingest"]
            return self.gateway(request, claims, path)
        if host == "scorer.test":
            assert claims == {"aud": "tessera-scorer", "roles": ["coordinator"]}
            assert path == "/v1/rules/oldham-gp-pilot/calibration"
            self.calibration_calls += 1
            grow = min(self.calibration_calls, 3)
            return httpx.Response(200, json=reading(10 * grow, 6 * grow, 4 * grow))
        assert host == "reidentify.test"
        assert claims["aud"] == "tessera-reidentify" and claims["roles"] == ["caseworker"]
        assert sorted(claims["districts"]) == ["OL1", "OL2", "OL4", "OL8", "OL9"]
        assert claims["purposes"] == ["early-help-triage"]
        if path == "/v1/cohorts/oldham-gp-pilot":
            return httpx.Response(200, json=[
                {"pseudonym": f"psn-{i:03d}", "level": "person", "score": 9.0 - i / 10,
                 "indicators": 7, "health": 2, "non_health": 5, "area": "OL4",
                 "raised_at": "2026-03-15T10:00:00Z"} for i in range(14)])
        assert path == "/v1/unlock"
        self.unlock_body = json.loads(request.content)
        if self.unlock_status != 200:
            return problem(self.unlock_status, "Forbidden", "no active flag for this caller")
        return httpx.Response(200, json={"access_id": 42, "subjects": [
            {"given_name": SECRET_NAME, "family_name": "Quux", "date_of_birth": "2014-01-02",
             "address": "1 Secret Street", "postcode": "OL1 1AA"}]})

    def gateway(self, request, claims, path) -> httpx.Response:
        if request.method == "GET":
            batch_id = path.rsplit("/", 1)[1]
            assert claims["partner"] == self.batches[batch_id]
            self.polls[batch_id] += 1
            status = "complete" if self.polls[batch_id] > 1 else "processing"
            return httpx.Response(200, json={"batch_id": batch_id, "status": status,
                                             "accepted": 1, "processed": 1, "rejected": 0})
        _, _, _, dataset, kind = path.split("/")
        assert claims["partner"] == PARTNER[dataset]
        body = json.loads(request.content)
        rows = body["events" if kind == "events" else "records"]
        key = request.headers["idempotency-key"]
        self.posts.append((dataset, kind, len(rows), key))
        batch_id = f"b{len(self.posts)}"
        self.batches[batch_id] = claims["partner"]
        return httpx.Response(202, json={"batch_id": batch_id, "accepted": len(rows),
                                         "rejected": []})


async def _run(fed: FakeFederation, lines: list[str], chunk_size: int = 250) -> int:
    return await run_demo(**URLS, token_factory=token_factory, seed=5, households=120,
                          as_of=AS_OF, chunk_size=chunk_size, poll_interval=0.001,
                          stable_polls=3, timeout=5, out=lines.append,
                          transport=httpx.MockTransport(fed))


async def test_demo_uploads_everything_then_reports_and_unlocks():
    fed, lines = FakeFederation(), []
    assert await _run(fed, lines) == 0
    borough = generate_borough(5, 120, AS_OF)
    expected = {(d, k): len(rows) for _, d, k, rows in borough.uploads()}
    sent = Counter()
    for dataset, kind, n, _ in fed.posts:
        assert 0 < n <= 250
        sent[(dataset, kind)] += n
    assert dict(sent) == expected
    order = [(d, k) for d, k, _, _ in fed.posts]
    for dataset in PARTNER:
        kinds = [k for d, k in order if d == dataset]
        assert kinds.index("identities") == 0
    keys = [k for *_, k in fed.posts]
    assert len(set(keys)) == len(keys)
    assert all(n >= 2 for n in fed.polls.values()) and len(fed.polls) == len(fed.posts)
    assert fed.calibration_calls >= 5  # changed twice, then three equal readings
    assert fed.unlock_body["pseudonym"] == "psn-000"
    assert fed.unlock_body["purpose"] == "early-help-triage"
    text = "\n".join(lines)
    print("\n" + text)
    assert "access_id=42" in text and "succeeded" in text
    assert "5+" in text and "psn-009" in text and "psn-010" not in text
    assert SECRET_NAME not in text and "Secret Street" not in text
    names = {r["family_name"] for _, _, k, rows in borough.uploads() if k == "identities"
             for r in rows if r.get("family_name") and len(r["family_name"]) > 5}
    assert not [n for n in names if n in text]


async def test_demo_keys_are_stable_across_runs():
    first, second = FakeFederation(), FakeFederation()
    await _run(first, [])
    await _run(second, [])
    assert [p[3] for p in first.posts] == [p[3] for p in second.posts]


async def test_refused_unlock_is_reported_on_one_line():
    fed, lines = FakeFederation(unlock_status=403), []
    assert await _run(fed, lines, chunk_size=5000) == 1
    assert "unlock refused: POST /v1/unlock -> 403 Forbidden: no active flag for this " \
           "caller" in lines


def test_chunks_are_capped_at_5000():
    rows = [{"i": i} for i in range(12001)]
    assert [len(c) for c in chunked(rows, 10_000)] == [5000, 5000, 2001]
    assert chunked([], 100) == []
    assert idempotency_key(1, "p", "d", "events", 0, rows[:3]) == idempotency_key(
        1, "p", "d", "events", 0, rows[:3])
    assert idempotency_key(1, "p", "d", "events", 0, rows[:3]) != idempotency_key(
        1, "p", "d", "events", 1, rows[:3])


def test_counts_leave_out_what_the_scorer_hides():
    hidden = reading(30, 20, 10)
    hidden["thresholds"][2]["count"] = None
    assert counts(Calibration.from_dict(reading(30, 20, 10))) == {3: 30, 4: 20, 5: 10}
    assert counts(Calibration.from_dict(hidden)) == {3: 30, 4: 20}


async def test_a_503_is_retried_with_the_same_key_until_accepted():
    """As partners are told to: the gateway's 503 means nothing was accepted (and so
    does a balancer's, which is no problem+json)."""
    keys, tokens = [], []

    def answer(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers["Idempotency-Key"])
        tokens.append(request.headers["Authorization"])
        if len(keys) == 1:
            return problem(503, "Service Unavailable", "the bus did not take the rows")
        if len(keys) == 2:  # a balancer's own page, not a problem
            return httpx.Response(503, text="<html>503</html>",
                                  headers={"content-type": "text/html"})
        return httpx.Response(202, json={"batch_id": "b-1", "accepted": 1, "rejected": []})

    minted = iter(range(100))
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        api = DemoApi(client, "http://gw", "http://sc", "http://re",
                      lambda *a, **k: f"token-{next(minted)}")
        reply = await api.post_rows("p", "d", "events", [EVENT], "key-1")
    assert reply["accepted"] == 1 and keys == ["key-1"] * 3
    assert len(set(tokens)) == 3  # a fresh token each request


async def test_a_problem_becomes_one_line_with_its_type():
    """What `tessera demo` prints when the gateway refuses: method, path, status, the
    problem's title and detail; its type tells the command what to suggest."""
    def answer(request: httpx.Request) -> httpx.Response:
        return problem(403, "Forbidden", "no agreement in force for dataset 'd'",
                       "urn:tessera:problem:no-agreement")

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        api = DemoApi(client, "http://gw", "http://sc", "http://re", lambda *a, **k: "t")
        with pytest.raises(DemoError) as refused:
            await api.post_rows("p", "d", "events", [EVENT], "key-1")
    assert str(refused.value) == ("POST /v1/datasets/d/events -> 403 Forbidden: no "
                                  "agreement in force for dataset 'd'")
    assert refused.value.problem_type == "urn:tessera:problem:no-agreement"
    assert refused.value.status == 403
