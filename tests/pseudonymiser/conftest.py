"""A running pseudonymiser (in-process, migrated SQLite) and the other services' view of the bus."""

from __future__ import annotations

import itertools
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest_asyncio
from sqlalchemy import select

from services.common import messages as m
from services.common import subjects
from services.common.db import run_migrations
from services.common.sealing import Opener
from services.pseudonymiser import identity
from services.pseudonymiser.app import create_app
from services.pseudonymiser.models import Household, Person
from services.pseudonymiser.settings import PseudonymiserSettings
from tests.support import StandInRegistry, close, eventually, send, sequence

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "pseudonymiser" / "migrations"
ACCESS_IDS = itertools.count(int(datetime.now(UTC).timestamp() * 1000))


@dataclass(frozen=True)
class Lookup:
    """What a lookup of ``services.pseudonymiser.identity`` needs (an ``identity.Ask``)."""

    pseudonym: str
    level: str
    partner: str | None = None


class Federation:
    """Publishes as the gateway and consent services; reads as linker, consent and gateway."""

    def __init__(self, nats_env):
        self.env = nats_env
        self.assignments: dict[str, list[m.Assignment]] = defaultdict(list)
        self.resolved: dict[str, list[m.OptoutResolved]] = defaultdict(list)
        self.progress: Counter = Counter()
        self.changes: list[m.ClusterChange] = []
        self.replies: list[m.ReidentifyReply] = []  # as they crossed the bus

    async def start(self):
        self.gateway = await self.env.bus("gateway")
        self.linker = await self.env.bus("linker")
        self.consent = await self.env.bus("consent")
        self.reidentifier = await self.env.bus("reidentify")
        self.subs = [
            (await self.linker.js.pull_subscribe_bind(
                durable="linker", stream=subjects.ASSIGNMENTS.stream), self._on_assignments),
            (await self.consent.js.pull_subscribe_bind(
                durable="consent", stream=subjects.RESOLVED.stream), self._on_resolved),
            (await self.gateway.js.pull_subscribe_bind(
                durable="gateway", stream=subjects.PROGRESS.stream), self._on_progress),
        ]

    async def close(self):
        await close(self.gateway, self.linker, self.consent, self.reidentifier)

    def _on_assignments(self, data: bytes):
        batch = m.AssignmentBatch.model_validate_json(data)
        self.changes.extend(batch.changes)
        for a in batch.assignments:
            self.assignments[a.record_token].append(a)

    def _on_resolved(self, data: bytes):
        r = m.OptoutResolved.model_validate_json(data)
        self.resolved[r.record_token].append(r)

    def _on_progress(self, data: bytes):
        p = m.BatchProgress.model_validate_json(data)
        assert p.service == "pseudonymiser"
        self.progress[(p.batch_id, p.chunk)] += p.processed

    async def pump(self):
        for psub, on in self.subs:
            try:
                msgs = await psub.fetch(100, timeout=0.05)
            except TimeoutError:
                continue
            for msg in msgs:
                on(msg.data)
                await msg.ack()

    async def publish(self, rows: list[dict], *, dataset="gp-p81001", level="person",
                      channel=subjects.IDENTITY, msg_id: str | None = None,
                      one_record_per_person: bool = False) -> str:
        batch_id = f"b-{uuid.uuid4().hex[:12]}"
        batch = m.IdentityBatch(batch_id=batch_id, chunk=0, partner="p-" + dataset,
                                dataset=dataset, level=level,
                                one_record_per_person=one_record_per_person,
                                rows=[m.IdentityRow(**r) for r in rows])
        await send(self.gateway, channel.for_dataset(dataset), batch, msg_id or batch_id)
        return batch_id

    async def processed(self, batch_id: str) -> int:
        async def done():
            await self.pump()
            return self.progress.get((batch_id, 0))
        return await eventually(done)

    async def latest(self, token: str, min_version: int = 1) -> m.Assignment:
        async def check():
            await self.pump()
            got = self.assignments.get(token)
            if got and max(a.version for a in got) >= min_version:
                return max(got, key=lambda a: a.version)
            return None
        return await eventually(check)

    async def decide(self, person: str, status: str, scope: str = "all",
                     order: int | None = None) -> str:
        """As consent publishes a decision; `order`: its sequence (by default, a larger one
        than every decision before). Returns its id."""
        decision = m.ConsentDecision(decision_id=uuid.uuid4().hex, person=person, status=status,
                                     scope=scope, decided_on=date(2026, 3, 1), effective=True,
                                     sequence=sequence() if order is None else order)
        await self.consent.publish(subjects.DECISIONS, decision, msg_id=decision.decision_id)
        return decision.decision_id

    async def ask(self, pseudonym: str, level: str = "person", partner: str | None = None,
                  **request) -> identity.Answer:
        """A request as reidentify sends it (signed, naming a fresh access id, with a key to
        seal the answer to); the answer opened."""
        opener = Opener()
        ask = m.ReidentifyRequest(**{
            "pseudonym": pseudonym, "level": level, "partner": partner,
            "access_id": next(ACCESS_IDS), "issued_at": datetime.now(UTC),
            "reply_key": opener.public, **request})
        reply = await self.reidentifier.request(subjects.REIDENTIFY, ask, timeout=5)
        self.replies.append(reply)
        if reply.sealed is None:
            return identity.Answer(found=reply.found, withheld=reply.withheld)
        released = m.Released.model_validate_json(
            opener.open(reply.sealed, ask.sealing_context()))
        return identity.Answer(found=reply.found, withheld=reply.withheld,
                               subjects=released.subjects, local_ids=released.local_ids)

    async def reidentify(self, pseudonym: str, level: str = "person") -> identity.Answer:
        return await self.ask(pseudonym, level)


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def pseudonymiser(nats_env, tmp_path_factory):
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('pseudonymiser') / 'p.db'}"
    run_migrations(MIGRATIONS, url)
    settings = PseudonymiserSettings(
        **nats_env.settings_kwargs("pseudonymiser", url),
        person_key_path=nats_env.layout.key("pseudonym-person"),
        household_key_path=nats_env.layout.key("pseudonym-household"),
    )
    app = create_app(settings)
    registry = await StandInRegistry(await nats_env.bus("gateway")).start()
    try:
        async with app.router.lifespan_context(app):
            fed = Federation(nats_env)
            await fed.start()
            try:
                yield SimpleNamespace(app=app, fed=fed)
            finally:
                await fed.close()
    finally:
        await registry.stop()
        await close(registry.peer)


async def every_request(session) -> list[Lookup]:
    """A lookup for every person and household held, and for an unknown pseudonym at both
    levels."""
    persons = list((await session.execute(select(Person.pseudonym))).scalars())
    households = list((await session.execute(select(Household.pseudonym))).scalars())
    asks = [Lookup(pseudonym=p, level="person") for p in persons]
    asks += [Lookup(pseudonym=h, level="household") for h in households]
    return asks + [Lookup(pseudonym="nobody", level=lv)
                   for lv in ("person", "household")]
