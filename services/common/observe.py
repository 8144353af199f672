"""What every HTTP request leaves behind: its request id (taken from ``X-Request-ID`` when
well-formed, else new, and answered in the same header), a span under the caller's
trace, its latency in the metrics by route template and status, and one access line.

One plain ASGI middleware rather than OpenTelemetry's ASGI instrumentation and a
Prometheus middleware package: those know nothing of request ids, and each would read
the route on its own; this is the one place that turns a path into its template, so
neither a metric label nor a log line ever holds a path (it may hold a pseudonym)."""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI
from opentelemetry.trace import SpanKind
from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common import tracing
from services.common.metrics import Metrics, Scrapers, router
from services.common.settings import WebSettings

access = logging.getLogger("tessera.access")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # no route answered: the path is never a label
QUIET = frozenset({"/metrics", "/healthz", "/readyz"})  # polled: their lines at DEBUG
# where a middleware that answers a route's requests itself, before routing, names the
# route's template
ROUTE = "tessera.route"


def template(scope: Scope, app: ASGIApp | None) -> str:
    """The matched route's template (``/v1/batches/{batch_id}``), a mount's prefix, or
    UNMATCHED."""
    route = scope.get("route")
    if route is not None and getattr(route, "path", None):
        return route.path
    if scope.get(ROUTE):
        return scope[ROUTE]
    path = scope.get("path", "")
    for candidate in getattr(getattr(app, "router", None), "routes", ()):
        if isinstance(candidate, Mount) and path.startswith(candidate.path + "/"):
            return candidate.path + "/{path}"
    return UNMATCHED


class Observe:
    def __init__(self, app: ASGIApp, metrics: Metrics, root: ASGIApp | None = None):
        self.app = app
        self.metrics = metrics
        self.root = root  # the application, whose mounts name unrouted paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        rid = tracing.request_id(headers.get(tracing.REQUEST_ID_HEADER))
        token = tracing.REQUEST_ID.set(rid)
        method = scope["method"] if scope["method"] in METHODS else "OTHER"
        status = 500  # unless the app answers: what a client sees of a crash
        start = time.perf_counter()

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[tracing.REQUEST_ID_HEADER] = rid
            await send(message)

        try:
            with tracing.span(method, headers, SpanKind.SERVER, root=True) as span:
                try:
                    await self.app(scope, receive, answer)
                finally:
                    route = template(scope, self.root)
                    seconds = time.perf_counter() - start
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                    span.set_attribute("http.response.status_code", status)
                    self.metrics.http_duration.labels(method, route, str(status)
                                                      ).observe(seconds)
                    access.log(logging.DEBUG if route in QUIET and status < 400
                               else logging.INFO, "%s %s %d", method, route, status,
                               extra={"duration_ms": round(seconds * 1000, 1)})
        finally:
            tracing.REQUEST_ID.reset(token)


def install(app: FastAPI, settings: WebSettings, metrics: Metrics | None = None) -> Metrics:
    """Observe every request and serve ``GET /metrics``; add it after every other
    middleware, so it sees each answer as the caller does and each line written on the
    way carries the request id."""
    metrics = metrics or Metrics(settings.service_name)
    tracing.configure(settings.service_name, settings.otlp_endpoint)
    app.include_router(router(metrics, Scrapers(settings.metrics_networks,
                                                settings.metrics_token_file)))
    app.add_middleware(Observe, metrics=metrics, root=app)
    return metrics
