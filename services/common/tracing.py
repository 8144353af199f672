"""Request ids and W3C trace context, carried over HTTP and NATS headers.

Trace context goes through the OpenTelemetry API's propagator (``traceparent``, and
``baggage`` when set), so a request that enters at the gateway keeps its trace id in
every service that applies a message it caused, and each log line written meanwhile
names it (services.common.logs). Spans are exported only when ``otlp_endpoint`` is set
and the OpenTelemetry SDK is installed (tessera-common's ``otlp`` extra); otherwise the
API's tracer records nothing and only the ids travel: a request that brings no
``traceparent`` is given a fresh trace id, so its lines can still be found together.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from contextvars import ContextVar
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import (
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    TraceFlags,
    format_span_id,
    format_trace_id,
)

log = logging.getLogger("tessera.tracing")

REQUEST_ID_HEADER = "X-Request-ID"
# an incoming id is kept only when it is short and plain (it is logged and echoed back);
# anything else is replaced by a new one
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
REQUEST_ID: ContextVar[str | None] = ContextVar("tessera_request_id", default=None)

TRACER = "tessera"
_exporting = False  # set once an SDK tracer provider with an exporter is installed


def request_id(incoming: str | None) -> str:
    """The incoming id when well-formed, else a new one."""
    if incoming and WELL_FORMED.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def log_fields() -> dict[str, str]:
    """What a log line says of where it was written: request id, trace and span ids."""
    fields = {}
    rid = REQUEST_ID.get()
    if rid is not None:
        fields["request_id"] = rid
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        fields["trace_id"] = format_trace_id(span.trace_id)
        fields["span_id"] = format_span_id(span.span_id)
    return fields


def _fresh_root() -> otel_context.Context:
    """A context whose span is a new, unsampled root: ids only, nothing recorded."""
    span = SpanContext(trace_id=int.from_bytes(secrets.token_bytes(16)) or 1,
                       span_id=int.from_bytes(secrets.token_bytes(8)) or 1,
                       is_remote=False, trace_flags=TraceFlags(TraceFlags.DEFAULT))
    return trace.set_span_in_context(NonRecordingSpan(span))


def incoming(headers: Mapping[str, str] | None, *, root: bool = False
             ) -> otel_context.Context:
    """The trace context ``headers`` carry; with ``root``, a new trace when they carry
    none and no SDK would start one."""
    ctx = propagate.extract(dict(headers or {}))
    if root and not _exporting and not trace.get_current_span(ctx).get_span_context().is_valid:
        return _fresh_root()
    return ctx


@contextlib.contextmanager
def span(name: str, headers: Mapping[str, str] | None, kind: SpanKind, *,
         root: bool = False) -> Iterator[trace.Span]:
    """The work on a request or message, as a span under the trace its headers carry;
    the request id they carry (NATS) becomes the current one."""
    rid = (headers or {}).get(REQUEST_ID_HEADER) if kind == SpanKind.CONSUMER else None
    token = REQUEST_ID.set(rid) if rid and WELL_FORMED.fullmatch(rid) else None
    try:
        with trace.get_tracer(TRACER).start_as_current_span(
                name, context=incoming(headers, root=root), kind=kind) as current:
            yield current
    finally:
        if token is not None:
            REQUEST_ID.reset(token)


def answering(name: str, callback: Callable[[Any], Awaitable[None]]
              ) -> Callable[[Any], Awaitable[None]]:
    """A NATS responder's callback run under the trace and request id its request
    carries (a requester's headers carry them: ``outgoing``), so the answer's log lines
    join the requester's."""
    async def answer(msg) -> None:
        with span(f"{name} answer", msg.headers, SpanKind.CONSUMER):
            await callback(msg)
    return answer


def outgoing(headers: MutableMapping[str, str]) -> MutableMapping[str, str]:
    """``headers`` with the current trace context and request id added (a message
    published or a request made while serving a request or applying a message)."""
    propagate.inject(headers)
    rid = REQUEST_ID.get()
    if rid is not None:
        headers[REQUEST_ID_HEADER] = rid
    return headers


def configure(service: str, endpoint: str) -> None:
    """Export spans to an OTLP collector over HTTP (no endpoint: nothing is exported)."""
    global _exporting
    if not endpoint or _exporting:
        return
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        raise RuntimeError("otlp_endpoint is set but the OpenTelemetry SDK is not "
                           "installed: install tessera-common[otlp]") from exc
    provider = TracerProvider(resource=Resource.create({"service.name": f"tessera-{service}"}))
    provider.add_span_processor(BatchSpanProcessor(
        OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")))
    trace.set_tracer_provider(provider)
    _exporting = True
    log.info("traces exported by OTLP to %s", endpoint)
