"""The scorer in-process against a real nats-server, fed as the real publishers."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest_asyncio
import yaml
from sqlalchemy import select

from services.common import messages as m
from services.common import subjects
from services.common.db import run_migrations
from services.common.state import state_of
from services.scorer.app import create_app
from services.scorer.models import Evaluation
from services.scorer.settings import ScorerSettings
from tests.support import close, eventually, send, sequence

REPO = Path(__file__).resolve().parents[2]
MIGRATIONS = REPO / "services" / "scorer" / "migrations"
TODAY = date(2026, 6, 15)
RULE = "oldham-gp-pilot"


def catalogues() -> list[m.CodeCatalogue]:
    registry = yaml.safe_load((REPO / "deploy" / "config" / "registry.yaml").read_text())
    return [m.CodeCatalogue(dataset=ds["id"], partner=ds["partner"], codes=[
        m.CodeCategory(code=code, category=c["category"], headline=c.get("headline"))
        for code, c in ds["codes"].items()]) for ds in registry["datasets"]]


def dataset_of() -> dict[str, str]:
    """Each code name of the seed registry and the dataset defining it (one each there)."""
    return {c.code: cat.dataset for cat in catalogues() for c in cat.codes}


def key(code: str) -> tuple[str, str]:
    """A seed registry code as the scorer keys it: (dataset, code)."""
    return (dataset_of().get(code, "unregistered"), code)


def recent(*codes: str, on: date = TODAY - timedelta(days=10)) -> list[m.ProfileEvent]:
    return [m.ProfileEvent(dataset=key(c)[0], code=c, occurred_on=on) for c in codes]


@dataclass
class Harness:
    app: object
    client: httpx.AsyncClient
    nats_env: object
    peers: dict
    flags_sub: object
    flags: list[m.Flag] = field(default_factory=list)
    republish_sub: object = None

    async def _send(self, publisher: str, subject: str, message) -> None:
        await send(self.peers[publisher], subject, message)

    async def profiles(self, *profiles: m.Profile) -> None:
        await self._send("linker", subjects.PROFILES.subject,
                         m.ProfileBatch(profiles=list(profiles)))

    async def decide(self, person: str, status: str, scope: str, effective: bool = True,
                     order: int | None = None):
        """As consent publishes a decision; `order`: its sequence (by default, a larger
        one than every decision before)."""
        await self._send("consent", subjects.DECISIONS.subject, m.ConsentDecision(
            decision_id=uuid.uuid4().hex, person=person, status=status, scope=scope,
            decided_on=date(2026, 5, 1), effective=effective,
            sequence=sequence() if order is None else order))

    async def collect(self) -> None:
        while True:
            try:
                msgs = await self.flags_sub.fetch(100, timeout=0.2)
            except TimeoutError:
                return
            for msg in msgs:
                self.flags.extend(m.FlagBatch.model_validate_json(msg.data).flags)
                await msg.ack()

    async def seen(self, pseudonym: str) -> list[m.Flag]:
        await self.collect()
        return [f for f in self.flags if f.pseudonym == pseudonym]

    async def wait_flag(self, pseudonym: str, check=lambda f: True, count: int | None = None):
        async def ok():
            mine = await self.seen(pseudonym)
            if count is not None and len(mine) != count:
                return None
            return mine and check(mine[-1]) and mine[-1]
        return await eventually(ok)

    async def republish_requests(self) -> list[m.RepublishRequest]:
        """What the scorer asked the linker to republish (read as the linker)."""
        if self.republish_sub is None:
            self.republish_sub = await self.peers["linker"].js.pull_subscribe_bind(
                durable="linker", stream=subjects.REPUBLISH.stream)
        out = []
        while True:
            try:
                msgs = await self.republish_sub.fetch(100, timeout=0.2)
            except TimeoutError:
                return out
            for msg in msgs:
                out.append(m.RepublishRequest.model_validate_json(msg.data))
                await msg.ack()

    async def evaluation(self, pseudonym: str, rule_id: str = RULE) -> Evaluation | None:
        async with state_of(self.app).sessionmaker() as s:
            return await s.get(Evaluation, (pseudonym, rule_id))

    async def evaluations(self, rule_id: str = RULE) -> list[Evaluation]:
        async with state_of(self.app).sessionmaker() as s:
            return list((await s.execute(
                select(Evaluation).where(Evaluation.rule_id == rule_id))).scalars())

    async def optout_scopes(self, pseudonym: str) -> set[str]:
        """The opt-outs the scorer has applied for a person (decisions and profiles travel on
        different streams, so a test waits for one before sending the other)."""
        from services.scorer.models import OptOut

        async with state_of(self.app).sessionmaker() as s:
            return set((await s.execute(
                select(OptOut.scope).where(OptOut.person == pseudonym,
                                           OptOut.status == "opt_out"))).scalars())

    def headers(self, *roles: str, subject: str = "tester", **claims) -> dict:
        token = self.nats_env.token("scorer", subject=subject, roles=list(roles), **claims)
        return {"Authorization": f"Bearer {token}"}


def person(pseudonym: str, events: list[m.ProfileEvent], area: str | None = "OL1",
           order: int | None = None):
    """A person's profile as the linker publishes it; `order`: its sequence (by default,
    a larger one than every profile before)."""
    return m.Profile(pseudonym=pseudonym, level="person", area=area, events=events,
                     sequence=sequence() if order is None else order)


def new(prefix: str = "P") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@asynccontextmanager
async def running_scorer(nats_env, url: str, today=lambda: TODAY, **settings):
    run_migrations(MIGRATIONS, url)
    app = create_app(ScorerSettings(**{**nats_env.settings_kwargs("scorer", url), **settings}),
                     today=today)
    peers = {s: await nats_env.bus(s) for s in ("gateway", "linker", "consent", "reidentify")}
    js = {s: peer.js for s, peer in peers.items()}
    flags_sub = await js["reidentify"].pull_subscribe_bind(
        durable="reidentify", stream=subjects.FLAGS.stream)
    try:
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://test") as client:
                harness = Harness(app, client, nats_env, peers, flags_sub)
                for catalogue in catalogues():
                    await harness._send("gateway", subjects.CODES.subject, catalogue)
                await eventually(lambda: state_of(app).consumers["codes"].applied == len(
                    catalogues()))
                yield harness
    finally:
        await close(*peers.values())


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def scorer(nats_env, tmp_path_factory):
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('scorer') / 'scorer.db'}"
    async with running_scorer(nats_env, url) as harness:
        yield harness
