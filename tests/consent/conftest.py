"""A running consent app on a real NATS; decisions read as the linker, progress as the gateway."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
import pytest_asyncio

from services.common import messages, subjects
from services.common.db import run_migrations
from services.consent.app import create_app
from services.consent.settings import ConsentSettings
from tests.support import close, eventually, send

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "consent" / "migrations"
# pseudonym prefix -> the area the stand-in pseudonymiser gives; any other is unknown
AREAS = {"person-": "OL1", "elsewhere-": "OL9"}


@dataclass
class Env:
    nats_env: object
    app: object
    client: httpx.AsyncClient
    gateway: object
    pseudonymiser: object
    decisions_sub: object
    progress_sub: object
    decisions: list = field(default_factory=list)
    progress: list = field(default_factory=list)

    def headers(self, *roles: str, sub: str = "practitioner-1") -> dict:
        token = self.nats_env.token("consent", subject=sub, roles=list(roles),
                                    districts=["OL1"], purposes=["early-help-triage"],
                                    org="test-org")
        return {"Authorization": f"Bearer {token}"}

    async def publish_requests(self, batch_id: str, *items: messages.ConsentRequest,
                               chunk: int = 0, msg_id: str | None = None,
                               agreement: str | None = None) -> None:
        batch = messages.ConsentRequestBatch(batch_id=batch_id, chunk=chunk, partner="csc-la",
                                             dataset="csc-contacts", agreement=agreement,
                                             items=list(items))
        await send(self.gateway, subjects.CONSENT_REQUESTS.subject, batch, msg_id)

    async def publish_resolved(self, record_token: str, person: str,
                               household: str | None = None) -> None:
        message = messages.OptoutResolved(record_token=record_token, person=person,
                                          household=household)
        await send(self.pseudonymiser, subjects.RESOLVED.subject, message)

    async def _drain(self, sub, schema, into: list) -> None:
        try:
            msgs = await sub.fetch(100, timeout=0.2)
        except TimeoutError:
            return
        for msg in msgs:
            into.append(schema.model_validate_json(msg.data))
            await msg.ack()

    async def decisions_of(self, person: str, count: int = 1) -> list:
        async def enough():
            await self._drain(self.decisions_sub, messages.ConsentDecision, self.decisions)
            found = [d for d in self.decisions if d.person == person]
            return found if len(found) >= count else None

        return await eventually(enough)

    async def settle(self, person: str, count: int) -> list:
        """Exactly `count` decisions for a person, after waiting for any stragglers."""
        found = await self.decisions_of(person, count)
        await self._drain(self.decisions_sub, messages.ConsentDecision, self.decisions)
        await self._drain(self.decisions_sub, messages.ConsentDecision, self.decisions)
        found = [d for d in self.decisions if d.person == person]
        assert len(found) == count, found
        return found

    async def progress_of(self, batch_id: str) -> list:
        async def any_():
            await self._drain(self.progress_sub, messages.BatchProgress, self.progress)
            return [p for p in self.progress if p.batch_id == batch_id]

        return await eventually(any_)


def request(record_token: str, status: str = "opt_out", scope: str = "all",
            decided_on: date | None = None) -> messages.ConsentRequest:
    return messages.ConsentRequest(record_token=record_token, status=status, scope=scope,
                                   evidence="form-ref-123", notice_version="pn-2026-01",
                                   decided_on=decided_on or date.today())


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def env(nats_env, tmp_path_factory):
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('consent-db') / 'consent.db'}"
    run_migrations(MIGRATIONS, url)
    app = create_app(ConsentSettings(**nats_env.settings_kwargs("consent", url)))
    gateway = await nats_env.bus("gateway")
    pseudonymiser = await nats_env.bus("pseudonymiser")
    linker = await nats_env.bus("linker")

    async def area(msg):  # the stand-in pseudonymiser knows where people live
        query = pseudonymiser.receive(subjects.AREA, msg.subject, msg.data, msg.headers)
        area = next((a for prefix, a in AREAS.items() if query.pseudonym.startswith(prefix)),
                    None)
        await pseudonymiser.respond(msg, messages.AreaReply(
            found=area is not None, area=area, household=None))

    await pseudonymiser.nc.subscribe(subjects.AREA.subject, cb=area)
    decisions_sub = await linker.js.pull_subscribe_bind(
        durable="linker", stream=subjects.DECISIONS.stream)
    progress_sub = await gateway.js.pull_subscribe_bind(
        durable="gateway", stream=subjects.PROGRESS.stream)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://test") as client:
            yield Env(nats_env, app, client, gateway, pseudonymiser, decisions_sub,
                      progress_sub)
    await close(gateway, pseudonymiser, linker)
