"""A token revoked at one service is refused by every service within a second, and by a
service that starts later; the route needs an admin."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import jwt

from services.common import bus, subjects
from services.common.runtime import Runtime
from services.common.settings import ServiceSettings
from services.common.state import SliceState, attach
from services.common.subjects import PROVISIONER
from services.common.web import service_app
from tests.support import eventually


def settings(nats_env, service: str, tmp_path) -> ServiceSettings:
    return ServiceSettings(service_name=service, **nats_env.settings_kwargs(
        service, f"sqlite+aiosqlite:///{tmp_path / (service + '.db')}"))


async def test_revoked_anywhere_is_refused_everywhere(nats_env, tmp_path):
    async with Runtime(settings(nats_env, "reidentify", tmp_path)) as reidentify, \
            Runtime(settings(nats_env, "gateway", tmp_path)) as gateway:
        token = nats_env.token("gateway", subject="cw", roles=["caseworker"])
        jti = jwt.decode(token, options={"verify_signature": False})["jti"]
        assert gateway.gatekeeper.authenticate(f"Bearer {token}").sub == "cw"

        started = time.monotonic()
        revocation, new = await reidentify.revocations.revoke(jti, "lost laptop", "admin-1")
        assert new and revocation.service == "reidentify"

        def refused() -> bool:
            try:
                gateway.gatekeeper.authenticate(f"Bearer {token}")
            except Exception as exc:  # noqa: BLE001
                return getattr(exc, "reason", None) == "revoked"
            return False

        await eventually(refused, timeout=1.0, interval=0.01)
        assert time.monotonic() - started < 1.0
        again, new = await gateway.revocations.revoke(jti, "twice", "admin-2")
        assert not new and again.reason == "lost laptop"

        # a service started afterwards reads it from the stream
        async with Runtime(settings(nats_env, "scorer", tmp_path)) as scorer:
            assert scorer.revocations.is_revoked(jti)


async def test_the_route_is_on_every_service_and_needs_an_admin(nats_env, tmp_path):
    rt = Runtime(settings(nats_env, "linker", tmp_path))
    app = service_app("t", None)
    async with rt:
        attach(app, SliceState(rt=rt))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t") as client:
            jti = uuid.uuid4().hex
            body = {"jti": jti, "reason": "left the council"}
            for roles in (["caseworker"], ["auditor"], ["dpo"]):
                r = await client.post("/v1/revocations", json=body, headers={
                    "Authorization": "Bearer " + nats_env.token("linker", roles=roles)})
                assert r.status_code == 403
            admin = {"Authorization": "Bearer " + nats_env.token("linker", roles=["admin"])}
            r = await client.post("/v1/revocations", json=body, headers=admin)
            assert r.status_code == 201 and r.json()["service"] == "linker"
            r = await client.post("/v1/revocations", json={**body, "reason": "x"},
                                  headers=admin)
            assert (r.status_code, r.json()["reason"]) == (200, "left the council")
            await asyncio.sleep(0)
            assert rt.revocations.is_revoked(jti)


async def test_a_gap_in_the_stream_does_not_stop_the_reading(nats_env, tmp_path):
    """A revocation that has expired (here: deleted) leaves a gap; the ones after it count."""
    async with Runtime(settings(nats_env, "consent", tmp_path)) as consent:
        first, second = uuid.uuid4().hex, uuid.uuid4().hex
        await consent.revocations.revoke(first, "a", "admin-1")
        await consent.revocations.revoke(second, "b", "admin-1")
    admin = await bus.connect(url=nats_env.url, service=PROVISIONER, user=PROVISIONER,
                              password=nats_env.passwords[PROVISIONER])
    try:
        js = admin.jetstream()
        stream = subjects.REVOCATIONS.stream
        info = await js.stream_info(stream)
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            raw = await js.get_msg(stream, seq)
            if first.encode() in raw.data:
                await js.delete_msg(stream, seq)
    finally:
        await admin.close()
    async with Runtime(settings(nats_env, "linker", tmp_path)) as linker:
        assert not linker.revocations.is_revoked(first)
        assert linker.revocations.is_revoked(second)
