"""The whole federation as real processes (DEBUG logging), with every token it was sent
recorded, so the tests can try what a caller should not and then scan the logs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest_asyncio

from deploy.cli import token_factory
from deploy.federation import Federation
from deploy.layout import Layout
from deploy.natsserver import free_port
from services.common import bus
from services.common.subjects import SERVICES
from services.common.trust import Keyring

DISTRICTS = ["OL1", "OL2", "OL4", "OL8", "OL9"]
PURPOSE = "early-help-triage"
# A token per service that holds every role and claim that service knows of.
EVERYTHING = {
    "gateway": {"partner": "gp-p81001", "scope": ["ingest"], "roles": ["admin", "auditor"]},
    "pseudonymiser": {"roles": ["linkage-officer", "admin", "auditor", "dpo"]},
    "linker": {"roles": ["analyst", "admin", "auditor", "dpo"]},
    "scorer": {"roles": ["coordinator", "admin", "analyst", "dpo", "caseworker"]},
    "reidentify": {"roles": ["caseworker", "coordinator", "auditor", "admin", "dpo"],
                   "districts": DISTRICTS, "purposes": [PURPOSE], "org": "t",
                   "scope": ["case-lookup"], "partner": "gp-p81001"},
    "consent": {"roles": ["caseworker", "coordinator", "auditor", "admin", "dpo"]},
}


@dataclass
class Fed:
    fed: Federation
    client: httpx.AsyncClient
    minted: list[str] = field(default_factory=list)

    def token(self, service: str, **claims) -> str:
        token = token_factory(self.fed.layout)(service, **claims)
        self.minted.append(token)
        return token

    def auth(self, service: str, **claims) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(service, **claims)}"}

    def url(self, service: str, path: str = "") -> str:
        return self.fed.url(service) + path

    def openapi(self, service: str) -> dict:
        return json.loads(httpx.get(self.url(service, "/openapi.json")).text)

    @property
    def passwords(self) -> dict[str, str]:
        return json.loads(self.fed.layout.nats_passwords.read_text())

    async def connect(self, service: str):
        return await bus.connect(url=self.fed.nats_url, service=service, user=service,
                                 password=self.passwords[service])

    async def bus(self, service: str) -> bus.Bus:
        """The service's NATS password and its bus key (what the service sends)."""
        layout = self.fed.layout
        return bus.Bus(await self.connect(service), service,
                       Keyring.load(service, layout.bus_key(service), layout.bus_trust,
                                    layout.passphrase(service)))

    @property
    def logs(self) -> list[Path]:
        return sorted(self.fed.layout.logs.glob("*.log"))


@pytest_asyncio.fixture(loop_scope="session", scope="package")
async def fed(tmp_path_factory):
    debug = {s: {f"TESSERA_{s.upper()}_LOG_LEVEL": "DEBUG"} for s in SERVICES}
    debug["reidentify"]["TESSERA_REIDENTIFY_UNLOCK_RATE_PER_HOUR"] = "100000"
    federation = Federation(Layout(tmp_path_factory.mktemp("security")),
                            ports={s: free_port() for s in SERVICES}, nats_port=free_port(),
                            nats_monitor_port=None, environment="test", extra_env=debug)
    federation.start()
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            yield Fed(federation, client)
    finally:
        federation.stop()
