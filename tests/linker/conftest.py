"""The linker in-process against a real nats-server, fed as the real publishers."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
import pytest_asyncio
from sqlalchemy import select

from services.common import messages as m
from services.common import subjects
from services.common.db import run_migrations
from services.common.state import state_of
from services.linker.app import create_app
from services.linker.models import Assignment, Event
from services.linker.settings import LinkerSettings
from tests.support import close, eventually, send, sequence

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "linker" / "migrations"


@dataclass
class Harness:
    app: object
    client: httpx.AsyncClient
    nats_env: object
    peers: dict
    profiles_sub: object
    progress_sub: object
    profiles: list[m.Profile] = field(default_factory=list)
    progress: list[m.BatchProgress] = field(default_factory=list)
    batch_sizes: list[int] = field(default_factory=list)  # profiles per ProfileBatch read

    async def _send(self, publisher: str, subject: str, message) -> None:
        await send(self.peers[publisher], subject, message)

    async def events(self, partner: str, dataset: str, rows: list[tuple[str, str, date]],
                     level: str = "person", batch_id: str | None = None) -> str:
        batch_id = batch_id or uuid.uuid4().hex
        batch = m.EventBatch(batch_id=batch_id, chunk=0, partner=partner, dataset=dataset,
                             level=level, events=[
                                 m.EventRow(record_token=t, event_token=uuid.uuid4().hex,
                                            code=c, occurred_on=d) for t, c, d in rows])
        await self._send("gateway", subjects.EVENTS.for_dataset(dataset), batch)
        return batch_id

    async def assign(self, *assignments: m.Assignment) -> None:
        await self._send("pseudonymiser", subjects.ASSIGNMENTS.subject,
                         m.AssignmentBatch(assignments=list(assignments)))

    async def decide(self, person: str, status: str, scope: str, effective: bool = True,
                     order: int | None = None):
        """As consent publishes a decision; `order`: its sequence (by default, a larger
        one than every decision before)."""
        await self._send("consent", subjects.DECISIONS.subject, m.ConsentDecision(
            decision_id=uuid.uuid4().hex, person=person, status=status, scope=scope,
            decided_on=date(2026, 5, 1), effective=effective,
            sequence=sequence() if order is None else order))

    async def _drain(self, sub, schema, sink, attr: str | None) -> None:
        while True:
            try:
                msgs = await sub.fetch(100, timeout=0.2)
            except TimeoutError:
                return
            for msg in msgs:
                payload = schema.model_validate_json(msg.data)
                sink.extend(getattr(payload, attr) if attr else [payload])
                if schema is m.ProfileBatch:
                    self.batch_sizes.append(len(payload.profiles))
                await msg.ack()

    async def collect(self) -> None:
        await self._drain(self.profiles_sub, m.ProfileBatch, self.profiles, "profiles")
        await self._drain(self.progress_sub, m.BatchProgress, self.progress, None)

    async def seen(self, pseudonym: str) -> list[m.Profile]:
        await self.collect()
        return [p for p in self.profiles if p.pseudonym == pseudonym]

    async def wait_profile(self, pseudonym: str, check) -> m.Profile:
        async def ok():
            mine = await self.seen(pseudonym)
            return mine and check(mine[-1]) and mine[-1]
        return await eventually(ok)

    async def wait_progress(self, batch_id: str) -> m.BatchProgress:
        async def ok():
            await self.collect()
            return next((p for p in self.progress if p.batch_id == batch_id), None)
        return await eventually(ok)

    async def wait_until_marked(self, n: int) -> None:
        """Until at least n profiles are marked for publication."""
        from services.linker.repository import count_marks

        async def ok():
            async with state_of(self.app).sessionmaker() as s:
                return await count_marks(s) >= n
        await eventually(ok)

    async def stored_events(self, record_token: str) -> list[Event]:
        async with state_of(self.app).sessionmaker() as s:
            return list((await s.execute(
                select(Event).where(Event.record_token == record_token))).scalars())

    async def assignment(self, record_token: str) -> Assignment | None:
        async with state_of(self.app).sessionmaker() as s:
            return await s.get(Assignment, record_token)


def codes(profile: m.Profile) -> list[str]:
    return sorted(e.code for e in profile.events)


@asynccontextmanager
async def running_linker(nats_env, url: str, **settings):
    run_migrations(MIGRATIONS, url)
    app = create_app(LinkerSettings(**{**nats_env.settings_kwargs("linker", url),
                                       "profile_interval_s": 0.1, **settings}))
    peers = {s: await nats_env.bus(s)
             for s in ("gateway", "pseudonymiser", "consent", "scorer")}
    js = {s: peer.js for s, peer in peers.items()}
    profiles_sub = await js["scorer"].pull_subscribe_bind(
        durable="scorer", stream=subjects.PROFILES.stream)
    progress_sub = await js["gateway"].pull_subscribe_bind(
        durable="gateway", stream=subjects.PROGRESS.stream)
    try:
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://test") as client:
                yield Harness(app, client, nats_env, peers, profiles_sub, progress_sub)
    finally:
        await close(*peers.values())


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def linker(nats_env, tmp_path_factory):
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('linker') / 'linker.db'}"
    async with running_linker(nats_env, url) as harness:
        yield harness


def new(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
