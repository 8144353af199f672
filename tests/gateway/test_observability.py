"""The gateway observed: request ids, trace context on what it publishes, its metrics and
who may read them (services/common/observe.py, metrics.py, tracing.py, logs.py)."""

from __future__ import annotations

import io
import json
import logging
import re

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.app import create_app
from gateway.settings import GatewaySettings
from services.common import logs
from tests.gateway.conftest import GP, person, running_gateway, subjects

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """Every sample of a scrape, by name and sorted labels."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def rows(scrape: dict, outcome: str) -> float:
    return scrape.get(("tessera_gateway_rows_total", (("dataset", GP[1]),
                                                      ("kind", "identities"),
                                                      ("outcome", outcome))), 0.0)


class Lines:
    """The JSON lines services.common.logs writes, captured from the tessera loggers."""

    def __init__(self):
        self.buffer = io.StringIO()
        self.handler = logging.StreamHandler(self.buffer)
        self.handler.setFormatter(logs.formatter("gateway"))
        self.handler.addFilter(logs.Context())

    def __enter__(self) -> Lines:
        logger = logging.getLogger("tessera")
        self.level = logger.level
        logger.setLevel(logging.INFO)
        logger.addHandler(self.handler)
        return self

    def __exit__(self, *exc) -> None:
        logger = logging.getLogger("tessera")
        logger.removeHandler(self.handler)
        logger.setLevel(self.level)

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.buffer.getvalue().splitlines()]


async def test_a_request_id_is_kept_logged_and_answered(env):
    with Lines() as lines:
        r = await env.client.get("/v1/batches/b_nosuchbatch", headers={
            **env.auth(), "X-Request-ID": "partner-req-0001"})
        bad = await env.client.get("/healthz", headers={"X-Request-ID": "two words; <script>"})
        none = await env.client.get("/healthz")
    assert r.status_code == 404 and r.headers["X-Request-ID"] == "partner-req-0001"
    assert re.fullmatch(r"[0-9a-f]{32}", bad.headers["X-Request-ID"])
    assert re.fullmatch(r"[0-9a-f]{32}", none.headers["X-Request-ID"])
    assert none.headers["X-Request-ID"] != bad.headers["X-Request-ID"]
    access = [x for x in lines.records() if x["logger"] == "tessera.access"]
    mine = [x for x in access if x.get("request_id") == "partner-req-0001"]
    assert len(mine) == 1
    line = mine[0]
    assert line["message"] == "GET /v1/batches/{batch_id} 404"
    assert {"time", "level", "service", "duration_ms", "trace_id", "span_id"} <= set(line)
    assert line["service"] == "gateway" and line["level"] == "INFO"
    assert "b_nosuchbatch" not in lines.buffer.getvalue()


async def test_trace_context_goes_on_with_what_the_gateway_publishes(env):
    body = {"records": [person("OBS-1"), person("OBS-2"), person("", family_name="")]}
    r = await env.client.post(f"/v1/datasets/{GP[1]}/identities", json=body,
                              headers={**env.auth(*GP[:1]), "traceparent": PARENT,
                                       "X-Request-ID": "upload-0001"})
    assert r.status_code == 202, r.text
    published = await env.read(subjects.IDENTITY, "pseudonymiser", want=1)
    _, headers, _ = published[-1]
    assert headers["traceparent"].split("-")[1] == TRACE_ID
    assert headers["X-Request-ID"] == "upload-0001"


async def test_metrics_count_rows_by_outcome_and_requests_by_route(env):
    before = samples((await env.client.get("/metrics")).text)
    body = {"records": [person("OBS-10"), person("OBS-11"), person("OBS-12"),
                        person("OBS-13", date_of_birth="not a date")]}
    r = await env.client.post(f"/v1/datasets/{GP[1]}/identities", json=body,
                              headers=env.auth(GP[0]))
    assert r.status_code == 202, r.text
    batch = r.json()["batch_id"]
    assert (await env.client.get(f"/v1/batches/{batch}", headers=env.auth(GP[0]))
            ).status_code == 200
    scrape = await env.client.get("/metrics")
    assert scrape.headers["content-type"].startswith("text/plain")
    after = samples(scrape.text)
    assert rows(after, "accepted") - rows(before, "accepted") == 3
    assert rows(after, "rejected") - rows(before, "rejected") == 1
    routes = {dict(labels)["route"] for (name, labels) in after
              if name == "tessera_http_request_duration_seconds_count"}
    assert {"/v1/datasets/{dataset}/identities", "/v1/batches/{batch_id}"} <= routes
    assert not any(batch in str(key) for key in after)
    assert after[("target_info", (("service", "gateway"),))] == 1


async def test_an_unrouted_path_is_one_label(env):
    for path in ("/nowhere/p_abcdefgh", "/nowhere/p_ijklmnop"):
        assert (await env.client.get(path)).status_code == 404
    text = (await env.client.get("/metrics")).text
    assert "p_abcdefgh" not in text and "p_ijklmnop" not in text
    assert 'route="unmatched",status="404"' in text


async def test_metrics_are_outside_the_api_document(env):
    assert "/metrics" not in env.app.openapi()["paths"]


async def test_metrics_only_to_the_allowed_networks(env):
    outside = httpx.ASGITransport(app=env.app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=outside, base_url="http://test") as client:
        r = await client.get("/metrics")
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"


async def test_a_scrape_token_is_required_once_configured(nats_env, tmp_path):
    token = tmp_path / "scrape.token"
    token.write_text("a-long-random-scrape-token\n")
    async with running_gateway(nats_env, tmp_path, metrics_token_file=token,
                               metrics_networks=["10.0.0.0/8"]) as gw:
        inside = httpx.ASGITransport(app=gw.app, client=("10.1.2.3", 40000))
        async with httpx.AsyncClient(transport=inside, base_url="http://test") as client:
            missing = await client.get("/metrics")
            wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
            right = await client.get("/metrics", headers={
                "Authorization": "Bearer a-long-random-scrape-token"})
        loopback = await gw.client.get("/metrics", headers={
            "Authorization": "Bearer a-long-random-scrape-token"})
    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert "tessera_http_request_duration_seconds" in right.text
    assert loopback.status_code == 403  # not one of the networks configured


def test_an_otlp_endpoint_without_the_sdk_is_refused(nats_env, tmp_path):
    """Spans are exported only with tessera-common[otlp], which this environment lacks."""
    settings = GatewaySettings(**nats_env.settings_kwargs("gateway"),
                               hmac_key_path=nats_env.layout.key("gateway-hmac"),
                               otlp_endpoint="http://127.0.0.1:4318")
    with pytest.raises(RuntimeError, match=r"tessera-common\[otlp\]"):
        create_app(settings)
