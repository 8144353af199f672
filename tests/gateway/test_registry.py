"""Code catalogues on start (never meanings, never twice) and a NATS outage mid-upload."""

from __future__ import annotations

import json

import httpx
import pytest_asyncio

from deploy import natsserver
from gateway.app import create_app
from gateway.settings import GatewaySettings
from services.common import subjects
from services.common.db import run_migrations
from services.common.state import state_of
from tests.gateway.conftest import GP, MIGRATIONS, REGISTRY, Env, person
from tests.support import eventually


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def settings(nats_env, tmp_path_factory):
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('gateway-db') / 'gateway.db'}"
    run_migrations(MIGRATIONS, url)
    return GatewaySettings(**nats_env.settings_kwargs("gateway", url),
                           hmac_key_path=nats_env.layout.key("gateway-hmac"),
                           registry_path=REGISTRY, publish_timeout_s=1.0)


async def _codes_in_stream(nats_env) -> int:
    nc = await nats_env.connect("scorer")
    try:
        return (await nc.jetstream().stream_info(subjects.CODES.stream)).state.messages
    finally:
        await nc.close()


async def test_catalogues_published_once_without_meanings(nats_env, settings):
    for _ in range(2):  # a restart publishes the same catalogues: de-duplicated
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            pass
        assert await _codes_in_stream(nats_env) == 5
    env = Env(nats_env, None, None, settings, {})
    got = await env.read(subjects.CODES, "scorer", want=5)
    catalogues = {c.dataset: c for _, _, c in got}
    assert set(catalogues) == {"gp-p81001", "school-census", "police-callouts",
                               "csc-contacts", "housing-tenancies"}
    police = catalogues["police-callouts"]
    assert police.partner == "police-gmp"
    assert [(c.code, c.category, c.headline) for c in police.codes] == [
        ("POL1", "non_health", "domestic-abuse"), ("POL2", "non_health", "crime-asb"),
        ("POL3", "non_health", "crime-asb")]
    text = json.dumps([c.model_dump(mode="json") for c in catalogues.values()])
    assert "meaning" not in text and "Domestic abuse" not in text and "A&E" not in text
    for nc, _ in env.readers.values():
        await nc.close()


async def test_nats_outage_is_503_and_the_retry_publishes_once(nats_env, settings):
    app = create_app(settings)
    env = Env(nats_env, app, None, settings, {})
    body = {"records": [person("EMIS-700001")]}
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://test") as client:
            env.client = client
            nats_env.stop()
            try:
                r = await env.post(*GP, "identities", body, key="outage-1")
                assert r.status_code == 503
                assert r.headers["content-type"] == "application/problem+json"
            finally:
                nats_env.proc = natsserver.start(nats_env.layout.nats_conf, nats_env.port)
            await eventually(lambda: state_of(app).rt.nc.is_connected)
            r = await env.post(*GP, "identities", body, key="outage-1")
            assert r.status_code == 202, r.text
            again = await env.post(*GP, "identities", body, key="outage-1")
            assert again.json() == r.json()
    got = [x for x in await env.read(subjects.IDENTITY, "pseudonymiser")
           if x[2].batch_id == r.json()["batch_id"]]
    assert len(got) == 1
    for nc, _ in env.readers.values():
        await nc.close()
