"""A running gateway on a real NATS, and helpers to read what it publishes."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest_asyncio

from gateway.app import create_app
from gateway.settings import GatewaySettings
from services.common import bus, subjects
from services.common.db import run_migrations
from services.common.subjects import Channel

REPO = Path(__file__).resolve().parents[2]
MIGRATIONS = REPO / "gateway" / "migrations"
REGISTRY = REPO / "deploy" / "config" / "registry.yaml"
CHUNK_ROWS = 3
MAX_BODY = 64 * 1024
MAX_ROWS = 200

GP = ("gp-p81001", "gp-p81001")            # (partner, dataset)
POLICE = ("police-gmp", "police-callouts")
SCHOOL = ("schools-la", "school-census")


@dataclass
class Env:
    nats_env: object
    app: object
    client: httpx.AsyncClient
    settings: GatewaySettings
    readers: dict

    def auth(self, partner: str | None = "gp-p81001", scope=("ingest",), **extra) -> dict:
        claims = dict(extra)
        if partner is not None:
            claims["partner"] = partner
        token = self.nats_env.token("gateway", subject=f"svc-{partner}", scope=list(scope),
                                    **claims)
        return {"Authorization": f"Bearer {token}"}

    async def post(self, partner: str, dataset: str, kind: str, body=None, *, key=None,
                   csv: str | None = None, headers: dict | None = None) -> httpx.Response:
        h = {**self.auth(partner), **(headers or {})}
        if key is not None:
            h["Idempotency-Key"] = key
        url = f"/v1/datasets/{dataset}/{kind}"
        if csv is not None:
            h.setdefault("Content-Type", "text/csv")
            return await self.client.post(url, content=csv.encode(), headers=h)
        return await self.client.post(url, json=body, headers=h)

    async def read(self, channel: Channel, service: str, *, want: int = 1,
                   timeout: float = 5.0) -> list:
        """Fetch (and ack) every message now on the service's durable consumer, waiting
        until at least `want` arrived; returns (subject, headers, decoded message)."""
        key = (channel.stream, service)
        if key not in self.readers:
            nc = await self.nats_env.connect(service)
            sub = await nc.jetstream().pull_subscribe_bind(durable=service,
                                                           stream=channel.stream)
            self.readers[key] = (nc, sub)
        _, sub = self.readers[key]
        out: list = []
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                msgs = await sub.fetch(100, timeout=0.3)
            except TimeoutError:
                msgs = []
            for msg in msgs:
                out.append((msg.subject, msg.headers or {}, bus.decode(channel, msg.data)))
                await msg.ack()
            if len(out) >= want and not msgs:
                return out
            if asyncio.get_running_loop().time() > deadline:
                return out


@asynccontextmanager
async def running_gateway(nats_env, db_dir: Path, **overrides):
    """A migrated gateway app, in-process, with a client; settings overridable."""
    url = f"sqlite+aiosqlite:///{db_dir / 'gateway.db'}"
    run_migrations(MIGRATIONS, url)
    limits = {"chunk_rows": CHUNK_ROWS, "max_body_bytes": MAX_BODY, "max_rows": MAX_ROWS,
              "registry_path": REGISTRY, **overrides}
    settings = GatewaySettings(
        **nats_env.settings_kwargs("gateway", url),
        hmac_key_path=nats_env.layout.key("gateway-hmac"), **limits)
    app = create_app(settings)
    readers: dict = {}
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://test") as client:
            yield Env(nats_env, app, client, settings, readers)
    for nc, _ in readers.values():
        await nc.close()  # draining a pull subscription waits out its drain timeout


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def env(nats_env, tmp_path_factory):
    async with running_gateway(nats_env, tmp_path_factory.mktemp("gateway-db")) as running:
        yield running


def person(local_id: str, **over) -> dict:
    row = {"local_id": local_id, "given_name": "Ada", "family_name": "Lovelace",
           "date_of_birth": "1985-12-10", "sex": "female", "address": "12 Mill Lane, Oldham",
           "postcode": "ol1 1aa", "nhs_number": "9434765919", "uprn": "422000001234"}
    row.update(over)
    return row


__all__ = ["CHUNK_ROWS", "running_gateway", "GP", "MAX_BODY", "MAX_ROWS", "POLICE", "SCHOOL", "Env", "person",
           "subjects"]
