"""The whole federation as real processes on free ports, with every message captured."""

from __future__ import annotations

import asyncio
import secrets
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date

import httpx
import pytest
import pytest_asyncio
import yaml

from deploy.cli import token_factory
from deploy.demo import DemoApi, upload, wait_batches
from deploy.federation import REPO, Federation
from deploy.layout import Layout
from deploy.natsserver import free_port
from services.common import bus
from services.common.subjects import SERVICES
from synthetic import generate_borough

SEED = 11
HOUSEHOLDS = 250
OBSERVER = "observer"


@dataclass
class Running:
    fed: Federation
    borough: object
    tokens: object
    captured: list[tuple[str, bytes]] = field(default_factory=list)
    batches: list = field(default_factory=list)

    def url(self, service: str) -> str:
        return self.fed.url(service)

    def token(self, service: str, **claims) -> str:
        return self.tokens(service, **claims)

    def db(self, service: str):
        return self.fed.layout.data / f"{service}.db"

    def connect(self, service: str, **kwargs):
        """A read-only connection to a service's database (SQLCipher, with its key)."""
        return self.fed.database(service, **kwargs)


def registry_codes() -> set[str]:
    reg = yaml.safe_load((REPO / "deploy" / "config" / "registry.yaml").read_text())
    return {code for ds in reg["datasets"] for code in ds["codes"]}


@asynccontextmanager
async def federation(root, *, database_urls: dict[str, str] | None = None,
                     tls: bool = False, replicas: int = 1, unlock_rate: int = 10000):
    """Start every service as a real process on free ports and capture every message
    (`replicas` processes of each slice that may scale, behind HAProxy)."""
    observer_password = secrets.token_urlsafe(16)
    extra_env = {s: {} for s in SERVICES}
    extra_env["reidentify"]["TESSERA_REIDENTIFY_UNLOCK_RATE_PER_HOUR"] = str(unlock_rate)
    for service, url in (database_urls or {}).items():
        extra_env[service][f"TESSERA_{service.upper()}_DATABASE_URL"] = url
    fed = Federation(
        Layout(root),
        ports={s: free_port() for s in SERVICES},
        nats_port=free_port(), nats_monitor_port=None, environment="test",
        observers={OBSERVER: observer_password}, extra_env=extra_env, tls=tls,
        replicas=replicas,
    )
    fed.prepare()
    fed.start_nats()
    captured: list[tuple[str, bytes]] = []
    tap = await bus.connect(url=fed.nats_url, service=OBSERVER, user=OBSERVER,
                            password=observer_password,
                            tls_ca_file=fed.tls_bundle.ca if tls else None)

    async def keep(msg):
        captured.append((msg.subject, msg.data))

    await tap.subscribe(">", cb=keep)
    await tap.flush()
    try:
        await asyncio.to_thread(fed.start_services)
        yield Running(fed, None, token_factory(fed.layout), captured)
    finally:
        await tap.close()
        await asyncio.to_thread(fed.stop)


@asynccontextmanager
async def federation_with_borough(root, *, households: int = HOUSEHOLDS, seed: int = SEED,
                                  database_urls: dict[str, str] | None = None,
                                  tls: bool = False, **options):
    """The federation with a synthetic borough pushed through the gateway and settled
    (`options`: those of ``federation``)."""
    async with federation(root, database_urls=database_urls, tls=tls, **options) as run:
        run.borough = generate_borough(seed, households, date.today())
        async with httpx.AsyncClient(timeout=60, verify=run.fed.verify) as client:
            api = DemoApi(client, run.fed.url("gateway"), run.fed.url("scorer"),
                          run.fed.url("reidentify"), run.tokens)
            run.batches = await upload(api, run.borough, 2000, out=lambda line: None)
            await wait_batches(api, run.batches, poll=0.3, timeout=180)
        yield run


@pytest_asyncio.fixture(loop_scope="session", scope="package")
async def running(tmp_path_factory):
    async with federation_with_borough(tmp_path_factory.mktemp("federation")) as run:
        yield run


@pytest.fixture
def clearance():
    return {"roles": ["caseworker"], "districts": ["OL1", "OL2", "OL4", "OL8", "OL9"],
            "purposes": ["early-help-triage"], "org": "oldham-early-help"}
