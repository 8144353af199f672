"""A running reidentify app on a real NATS, with a stand-in pseudonymiser responder."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import select

from services.common import bus, messages, subjects
from services.common.db import run_migrations
from services.common.sealing import Sealer
from services.common.state import state_of
from services.reidentify.app import create_app
from services.reidentify.models import FlagRow, OptOut
from services.reidentify.settings import ReidentifySettings
from tests import postgres
from tests.support import close, eventually, sequence

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "reidentify" / "migrations"
PURPOSE = "early-help-triage"
RATE = 5


@dataclass
class Canned:
    """What the stand-in pseudonymiser answers for a pseudonym (sealed as the real one)."""

    found: bool = True
    withheld: bool = False
    subjects: list = field(default_factory=list)
    local_ids: list = field(default_factory=list)


@dataclass
class Env:
    nats_env: object
    app: object
    client: httpx.AsyncClient
    scorer: object
    consent: object
    replies: dict = field(default_factory=dict)  # pseudonym -> Canned | None
    asked: list = field(default_factory=list)
    db_dir: Path | None = None
    released: list = field(default_factory=list)  # the stand-in pseudonymiser's ledger
    heads: list = field(default_factory=list)  # the stand-in gateway's copy of the heads

    def clearance(self, sub: str, *, roles=("caseworker",), districts=("OL1", "OL2"),
                  purposes=(PURPOSE,), **extra) -> dict:
        token = self.nats_env.token("reidentify", subject=sub, roles=list(roles),
                                    districts=list(districts), purposes=list(purposes),
                                    org="test-org", **extra)
        return {"Authorization": f"Bearer {token}"}

    async def publish_flags(self, *flags: messages.Flag) -> None:
        await self.scorer.publish(subjects.FLAGS, messages.FlagBatch(flags=list(flags)),
                                  msg_id=uuid.uuid4().hex)

        async def applied():
            async with state_of(self.app).sessionmaker() as s:
                for f in flags:
                    row = await s.get(FlagRow, (f.pseudonym, f.rule_id))
                    if row is None or row.raised_at < f.raised_at:
                        return False
                return True

        await eventually(applied)

    async def publish_decision(self, person: str, status: str, scope: str = "all",
                               decided_on: date | None = None,
                               order: int | None = None) -> None:
        """As consent publishes a decision, and until reidentify has kept it; `order`: its
        sequence, when not a larger one than every decision before (then until this
        process has applied it, as an older decision is not kept)."""
        decision = messages.ConsentDecision(
            decision_id=uuid.uuid4().hex, person=person, status=status, scope=scope,
            decided_on=decided_on or date.today(), effective=True,
            sequence=sequence() if order is None else order)
        decisions = state_of(self.app).consumers["decisions"]
        before = decisions.applied
        await self.consent.publish(subjects.DECISIONS, decision, msg_id=decision.decision_id)

        async def kept():
            async with state_of(self.app).sessionmaker() as s:
                row = (await s.execute(select(OptOut).where(
                    OptOut.decision_id == decision.decision_id))).scalar_one_or_none()
                return row is not None

        await eventually(kept if order is None else lambda: decisions.applied > before)

    async def log_for_all(self) -> list[dict]:
        entries, after = [], 0
        while True:
            r = await self.client.get("/v1/access-log", params={"limit": 500, "offset": after},
                                      headers=self.clearance("auditor-1", roles=["auditor"]))
            assert r.status_code == 200
            entries += r.json()
            if len(r.json()) < 500:
                return entries
            after += 500

    async def log_for(self, sub: str) -> list[dict]:
        r = await self.client.get("/v1/access-log", params={"limit": 500},
                                  headers=self.clearance("auditor-1", roles=["auditor"]))
        assert r.status_code == 200
        return [e for e in r.json() if e["sub"] == sub]


def flag(pseudonym: str, *, rule_id: str = "oldham-5", area: str | None = "OL1",
         score: float = 5.0, indicators: int = 5, active: bool = True,
         purposes=(PURPOSE,), level: str = "person",
         raised_at: datetime | None = None) -> messages.Flag:
    return messages.Flag(
        pseudonym=pseudonym, level=level, rule_id=rule_id, rule_version=1,
        purposes=list(purposes), active=active, score=score, indicators=indicators,
        health=2, non_health=indicators - 2, area=area,
        raised_at=raised_at or datetime.now(UTC))


_KEPT: dict[Path, tuple[list, list]] = {}


@contextlib.asynccontextmanager
async def running(nats_env, url: str, var: Path, db_dir: Path | None = None, **settings):
    """The reidentify app on `url` (migrated here), a stand-in pseudonymiser responder,
    and scorer and consent connections to publish with."""
    run_migrations(MIGRATIONS, url)
    settings = ReidentifySettings(**nats_env.settings_kwargs("reidentify", url),
                                  pseudonymiser_timeout_s=0.5, unlock_rate_per_hour=RATE,
                                  log_signing_key_path=var / "keys" / "log.pem",
                                  signed_heads_path=var / "exports" / "heads.jsonl",
                                  head_signing_interval_s=3600, **settings)
    app = create_app(settings)
    replies: dict = {}
    asked: list = []
    # the stand-in pseudonymiser's release ledger and gateway's copy of the heads, kept
    # across a restart on the same state directory as theirs would be
    released, heads = _KEPT.setdefault(var, ([], []))
    pseudonymiser = await nats_env.bus("pseudonymiser")
    gateway = await nats_env.bus("gateway")
    sealer = Sealer()

    async def respond(msg):
        request = pseudonymiser.receive(subjects.REIDENTIFY, msg.subject, msg.data,
                                        msg.headers)
        asked.append(request)
        reply = replies.get(request.pseudonym)
        if callable(reply):  # a reply that depends on the request (e.g. its partner)
            reply = reply(request)
        if reply is not None:
            answer = messages.Released(subjects=reply.subjects, local_ids=reply.local_ids)
            sealed = sealer.seal(request.reply_key, bus.encode(answer),
                                 request.sealing_context())
            await pseudonymiser.respond(msg, messages.ReidentifyReply(
                found=reply.found, withheld=reply.withheld, sealed=sealed))
            if answer.subjects or answer.local_ids:
                released.append(messages.Release(
                    access_id=request.access_id, pseudonym=request.pseudonym,
                    level=request.level, partner=request.partner,
                    issued_at=request.issued_at, released_at=datetime.now(UTC)))

    async def ledger(msg):
        query = pseudonymiser.receive(subjects.RELEASES, msg.subject, msg.data, msg.headers)
        page = [r for r in released if r.access_id > query.after][:query.limit]
        await pseudonymiser.respond(msg, messages.ReleasesPage(releases=page))

    async def keep_heads():
        sub = await gateway.js.pull_subscribe_bind(durable="gateway",
                                                   stream=subjects.AUDIT_HEADS.stream)
        while True:
            try:
                msgs = await sub.fetch(50, timeout=0.2)
            except TimeoutError:
                continue
            for msg in msgs:
                heads.append(gateway.receive(subjects.AUDIT_HEADS, msg.subject, msg.data,
                                             msg.headers))
                await msg.ack()

    async def kept_heads(msg):
        query = gateway.receive(subjects.HEADS, msg.subject, msg.data, msg.headers)
        page = sorted((h for h in heads if h.seq > query.after), key=lambda h: h.seq)
        await gateway.respond(msg, messages.HeadsPage(heads=page[:query.limit]))

    await pseudonymiser.nc.subscribe(subjects.REIDENTIFY.subject, cb=respond)
    await pseudonymiser.nc.subscribe(subjects.RELEASES.subject, cb=ledger)
    await gateway.nc.subscribe(subjects.HEADS.subject, cb=kept_heads)
    keeper = asyncio.create_task(keep_heads())
    await pseudonymiser.nc.flush()
    scorer = await nats_env.bus("scorer")
    consent = await nats_env.bus("consent")
    try:
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://test") as client:
                yield Env(nats_env, app, client, scorer, consent, replies, asked, db_dir,
                          released, heads)
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
        await close(pseudonymiser, gateway, scorer, consent)


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def env(nats_env, tmp_path_factory):
    db_dir = tmp_path_factory.mktemp("reidentify-db")
    var = tmp_path_factory.mktemp("reidentify-var")
    url = f"sqlite+aiosqlite:///{db_dir / 'reidentify.db'}"
    async with running(nats_env, url, var, db_dir) as started:
        yield started


@pytest.fixture(scope="module")
def pg_url():
    """A PostgreSQL database of the module's own (skipped without the binaries)."""
    if not postgres.available():
        pytest.skip("no PostgreSQL binaries")
    server = postgres.start()
    try:
        yield server.create_database("reidentify", "tessera_reidentify", secrets.token_hex(8))
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Each test on a SQLite file of its own, then on the module's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'reidentify.db'}"
    return request.getfixturevalue("pg_url")
