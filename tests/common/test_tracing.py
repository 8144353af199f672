"""Trace context across NATS request and reply, on a real nats-server: the responder's
work runs under the requester's trace and request id, so their log lines join up."""

from __future__ import annotations

import asyncio

from opentelemetry.trace import SpanKind

from services.common import subjects, tracing

TRACE_ID = "4bf92f3577b34da6a36ef4b8b5cf3ee1"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


async def test_an_answer_runs_under_the_trace_and_request_id_of_its_request(nats_env):
    asker = await nats_env.connect("consent")
    answerer = await nats_env.connect("pseudonymiser")
    seen: list[dict] = []

    async def area(msg) -> None:
        seen.append(tracing.log_fields())
        await answerer.publish(msg.reply, b"{}")

    sub = await answerer.subscribe(subjects.AREA.subject, queue="pseudonymiser",
                                   cb=tracing.answering(subjects.AREA.name, area))
    await answerer.flush()
    try:
        # consent asks while serving a request that came with a trace and a request id
        with tracing.span("GET /v1/decisions", {"traceparent": TRACEPARENT}, SpanKind.SERVER):
            token = tracing.REQUEST_ID.set("req-42")
            try:
                await asker.request(subjects.AREA.subject, b"{}", timeout=5,
                                    headers=dict(tracing.outgoing({})))
            finally:
                tracing.REQUEST_ID.reset(token)
        # and a request with no context: the answer has none of the other's
        await asker.request(subjects.AREA.subject, b"{}", timeout=5)
    finally:
        await sub.unsubscribe()
        await asyncio.gather(asker.close(), answerer.close())
    assert seen[0]["trace_id"] == TRACE_ID and seen[0]["request_id"] == "req-42"
    assert seen[1].get("trace_id") != TRACE_ID and "request_id" not in seen[1]
