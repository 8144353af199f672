"""Poison messages go to the service's dead-letter stream after bounded deliveries, are
listed for ops without their content, and never block the messages behind them."""

from __future__ import annotations

import dataclasses
import uuid
from types import SimpleNamespace

import httpx
from fastapi import FastAPI

from services.common import bus, health, problems, subjects
from services.common.gatekeeper import Gatekeeper
from services.common.state import SliceState, attach
from services.common.tokens import FileKeys, Lifetimes, TokenVerifier
from tests.common.test_bus import Inbox, db, publish_progress, record, times_applied  # noqa: F401
from tests.support import eventually

POISON = "poison"


async def fails_on_poison(session, message, delivery):
    if message.batch_id.startswith(POISON):
        raise ValueError("cannot apply")
    await record(session, message, delivery)


async def dead_count(js) -> int:
    return (await js.stream_info(subjects.deadletter_stream("gateway"))).state.messages


async def test_poison_is_dead_lettered_and_the_rest_flows(nats_env, db):  # noqa: F811
    b = await nats_env.bus("gateway")
    nc, js = b.nc, b.js
    channel = dataclasses.replace(subjects.PROGRESS, max_deliver=3)
    consumer = bus.Consumer(service="gateway", channel=channel, handler=fails_on_poison, bus=b,
                            sessionmaker=db, inbox_model=Inbox, relay=None, backoff_s=0.02)
    before = await dead_count(js)
    consumer.start()
    try:
        poison = f"{POISON}-{uuid.uuid4().hex}"
        good = f"good-{uuid.uuid4().hex}"
        await publish_progress(nats_env, poison)
        await publish_progress(nats_env, good)
        pub = await nats_env.bus("linker")
        await pub.js.publish(subjects.PROGRESS.subject, b"not json",
                             headers=pub.headers_for(subjects.PROGRESS.subject, b"not json",
                                                 uuid.uuid4().hex))
        await pub.nc.close()
        await eventually(lambda: times_applied(db, good), timeout=20)
        await eventually(lambda: _equals(dead_count(js), before + 2), timeout=20)
        assert consumer.dead_lettered == 2
        assert await times_applied(db, poison) == 0

        app = FastAPI()
        problems.install(app)
        app.include_router(health.router)
        gatekeeper = Gatekeeper(
            TokenVerifier(FileKeys(nats_env.layout.jwks), "https://issuer.tessera.local",
                          "tessera-gateway", Lifetimes(3600)), lambda jti: False)
        attach(app, SliceState(rt=SimpleNamespace(js=js, service="gateway",
                                                  gatekeeper=gatekeeper)))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t") as c:
            denied = await c.get("/v1/ops/dead-letters",
                                 headers=_auth(nats_env, roles=["caseworker"]))
            assert denied.status_code == 403
            r = await c.get("/v1/ops/dead-letters", headers=_auth(nats_env, roles=["admin"]))
        assert r.status_code == 200, r.text
        body = r.json()
        reasons = {i["reason"] for i in body["items"]}
        assert {"ValueError", "unparseable"} <= reasons
        assert all(i["subject"] == subjects.PROGRESS.subject for i in body["items"])
        assert poison not in r.text  # the content is never shown
    finally:
        await consumer.stop()
        await nc.close()


def _auth(nats_env, **claims) -> dict:
    return {"Authorization": "Bearer " + nats_env.token("gateway", **claims)}


async def _equals(awaitable, expected) -> bool:
    return (await awaitable) == expected


def test_only_the_owner_may_write_or_read_its_dead_letters():
    for service in subjects.SERVICES:
        perms = subjects.permissions(service)["publish"]
        for other in subjects.SERVICES:
            owns = other == service
            assert (subjects.deadletter_subject(other) in perms) == owns
            assert (f"$JS.API.STREAM.MSG.GET.{subjects.deadletter_stream(other)}"
                    in perms) == owns

