"""Prometheus metrics: each process's own registry, the metrics every service shares, and
``GET /metrics`` for the scraper.

Every metric is declared once, here or in a slice's ``metrics.py`` (a ``Part`` made on
the process's registry by ``Metrics.part``). Label values are fixed by the code (a
route's template, a stream's name, an outcome), never taken from a request: a pseudonym
or anything of a person must never become a label, and neither may a value a caller
chooses, or the series would grow without bound."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TypeVar

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from services.common.problems import problem_response

log = logging.getLogger("tessera.metrics")

# request latency buckets, in seconds: an upload of 20,000 rows takes tens of seconds
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# how long a scrape waits for the figures read from NATS (consumer lag) before answering
# with the last ones it has
REFRESH_S = 2.0

P = TypeVar("P")


class Metrics:
    """One process's metrics (a registry of its own: two services run in one test process
    keep apart, and nothing is registered at import time)."""

    def __init__(self, service: str):
        self.service = service
        self.registry = CollectorRegistry()
        self.registry.set_target_info({"service": service})
        r = self.registry
        self.http_duration = Histogram(
            "tessera_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route template and status.",
            ["method", "route", "status"], buckets=LATENCY_BUCKETS, registry=r)
        self.deliveries = Counter(
            "tessera_consumer_deliveries",
            "Messages a durable consumer took, by what became of them: applied (or "
            "found applied already), retried later, or dead-lettered.",
            ["stream", "consumer", "outcome"], registry=r)
        self.redeliveries = Counter(
            "tessera_consumer_redeliveries",
            "Messages taken that NATS had delivered before (a failure or a lost ack).",
            ["stream", "consumer"], registry=r)
        self.dead_letters = Counter(
            "tessera_consumer_dead_letters",
            "Messages parked on this service's dead-letter stream, by reason.",
            ["stream", "consumer", "reason"], registry=r)
        self.pending = Gauge(
            "tessera_consumer_pending",
            "Messages on the stream not yet delivered to this consumer (its lag).",
            ["stream", "consumer"], registry=r)
        self.ack_pending = Gauge(
            "tessera_consumer_ack_pending",
            "Messages delivered to this consumer and not yet acknowledged.",
            ["stream", "consumer"], registry=r)
        self._refreshers: list[Callable[[], Awaitable[None]]] = []
        self._parts: dict[type, object] = {}

    def part(self, kind: Callable[[CollectorRegistry], P]) -> P:
        """A slice's own metrics, made on this registry once (a lifespan entered again
        gets the same ones)."""
        if kind not in self._parts:
            self._parts[kind] = kind(self.registry)
        return self._parts[kind]  # type: ignore[return-value]

    def refresh_with(self, job: Callable[[], Awaitable[None]]) -> Callable[[], None]:
        """Run ``job`` before each scrape (figures read from elsewhere); returns what
        stops it."""
        self._refreshers.append(job)
        return lambda: self._refreshers.remove(job)

    async def render(self) -> bytes:
        if self._refreshers:
            done = await asyncio.wait_for(
                asyncio.gather(*(job() for job in self._refreshers), return_exceptions=True),
                REFRESH_S * 2)
            for failed in (d for d in done if isinstance(d, Exception)):
                log.warning("metrics: not refreshed: %s", type(failed).__name__)
        return generate_latest(self.registry)


class Scrapers:
    """Who may read the metrics: a caller from an allowed network, with the scrape token
    when one is configured."""

    def __init__(self, networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network],
                 token_file: Path | None):
        self.networks = list(networks)
        self.token = Path(token_file).read_text().strip() if token_file else None

    def refusal(self, request: Request) -> Response | None:
        try:
            client = ipaddress.ip_address(request.client.host) if request.client else None
        except ValueError:
            client = None
        if client is None or not any(client in net for net in self.networks):
            return problem_response(403, "Forbidden", "metrics are not served to this network")
        if self.token is not None:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(),
                                                                     self.token.encode()):
                return problem_response(401, "Unauthorized", "the scrape token is missing "
                                        "or wrong", headers={"WWW-Authenticate": "Bearer"})
        return None


def router(metrics: Metrics, scrapers: Scrapers) -> APIRouter:
    """``GET /metrics``, outside the OpenAPI document: it is for the operators' scraper,
    not for the federation's callers."""
    routes = APIRouter()

    @routes.get("/metrics", include_in_schema=False)
    async def scrape(request: Request) -> Response:
        refused = scrapers.refusal(request)
        if refused is not None:
            return refused
        return Response(await metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return routes
