"""The bulk re-score through the running linker and scorer (in-process, real NATS): the
same flags as the incremental path on the synthetic borough, an interrupted export that
does not double-apply, and changed profiles that win over an older export snapshot."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date

import httpx
import pytest_asyncio
from sqlalchemy import delete, func, select, update

from services.common import messages as m
from services.common import subjects
from services.common.db import run_migrations
from services.common.state import state_of
from services.linker import repository as linker_repo
from services.linker.app import create_app as linker_app
from services.linker.models import Outbox as LinkerOutbox
from services.linker.settings import LinkerSettings
from services.scorer.app import create_app as scorer_app
from services.scorer.models import Evaluation
from services.scorer.models import Outbox as ScorerOutbox
from services.scorer.settings import ScorerSettings
from synthetic import generate_borough
from tests.linker.conftest import MIGRATIONS as LINKER_MIGRATIONS
from tests.scorer.conftest import MIGRATIONS as SCORER_MIGRATIONS
from tests.scorer.conftest import TODAY, catalogues, key, person, recent
from tests.scorer.test_bulk_core import chunk_of
from tests.support import close, eventually, send, sequence

RULE = "oldham-gp-pilot"
AGREEMENT = {"gp-p81001": "isa-gp", "school-census": "isa-school", "csc-contacts": "isa-csc",
             "housing-tenancies": "isa-housing", "police-callouts": "isa-police"}


def borough(pseudonym: str) -> bool:
    """Not one of the hand-made profiles of the other test (which the linker never saw)."""
    return not pseudonym.startswith("P-")


@dataclass
class Federation:
    linker: object
    scorer: object
    client: httpx.AsyncClient
    nats_env: object
    peers: dict
    flags_sub: object
    flags: list[m.Flag] = field(default_factory=list)

    async def send(self, publisher: str, subject: str, message) -> None:
        await send(self.peers[publisher], subject, message)

    async def collect(self) -> list[m.Flag]:
        new: list[m.Flag] = []
        while True:
            try:
                msgs = await self.flags_sub.fetch(200, timeout=0.2)
            except TimeoutError:
                self.flags.extend(new)
                return new
            for msg in msgs:
                new.extend(f for f in m.FlagBatch.model_validate_json(msg.data).flags
                           if borough(f.pseudonym))
                await msg.ack()

    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.nats_env.token('scorer', roles=['admin'])}"}

    async def _idle(self, app, service: str, streams: list[str], outbox) -> bool:
        js = state_of(app).rt.js
        for stream in streams:
            info = await js.consumer_info(stream, service)
            if info.num_pending or info.num_ack_pending:
                return False
        async with state_of(app).sessionmaker() as s:
            return not (await s.execute(select(func.count()).select_from(outbox))).scalar_one()

    async def settled(self) -> bool:
        async with state_of(self.linker).sessionmaker() as s:
            if await linker_repo.count_marks(s):
                return False
        return (await self._idle(self.linker, "linker", [
                    subjects.EVENTS.stream, subjects.ASSIGNMENTS.stream,
                    subjects.DECISIONS.stream, subjects.REPUBLISH.stream], LinkerOutbox)
                and await self._idle(self.scorer, "scorer", [
                    subjects.PROFILES.stream, subjects.PROFILE_EXPORT.stream,
                    subjects.DECISIONS.stream], ScorerOutbox))

    async def snapshot(self) -> set[tuple]:
        async with state_of(self.scorer).sessionmaker() as s:
            rows = (await s.execute(select(Evaluation))).scalars()
            return {(e.pseudonym, e.rule_id, e.level, e.area, e.indicators, e.health,
                     e.non_health, e.headlines, e.score, e.active, e.rule_version,
                     e.next_change, e.agreements) for e in rows if borough(e.pseudonym)}

    async def rescore(self) -> dict:
        response = await self.client.post("/v1/rescore", headers=self.headers())
        assert response.status_code == 202, response.text
        request_id = response.json()["request_id"]

        async def finished():
            status = await self.client.get(f"/v1/rescore/{request_id}", headers=self.headers())
            return status.json()["finished_at"] and status.json()
        return await eventually(finished, timeout=60)


def inputs(borough):
    """Assignments and event batches as the pseudonymiser and gateway would send them,
    with the ground truth as the linkage; some persons have records in two areas."""
    assignments: list[m.Assignment] = []
    for (_partner, dataset, local_id), truth in sorted(borough.truth.records.items()):
        token = f"{dataset}:{local_id}"
        if truth.level == "person":
            household = truth.household_id or truth.institution_id
            moved = dataset == "school-census" and sum(map(ord, truth.person_id)) % 4 == 0
            area = f"OL{1 + sum(map(ord, household or '')) % 4}"
            assignments.append(m.Assignment(
                record_token=token, level="person", person=truth.person_id,
                household=household, area="OL9" if moved else area,
                version=2 if moved else 1))
        else:
            household = truth.household_id or truth.institution_id
            assignments.append(m.Assignment(
                record_token=token, level="property", household=household,
                area=f"OL{1 + sum(map(ord, household or '')) % 4}", version=1))
    batches: list[m.EventBatch] = []
    for ds in borough.datasets:
        rows = [m.EventRow(record_token=f"{ds.dataset}:{e['local_id']}",
                           event_token=f"{ds.dataset}:{i}", code=e["code"],
                           occurred_on=date.fromisoformat(str(e["occurred_on"])))
                for i, e in enumerate(ds.events)]
        for k in range(0, len(rows), 500):
            batches.append(m.EventBatch(
                batch_id=f"{ds.dataset}-{k}", chunk=k // 500, partner=ds.partner,
                dataset=ds.dataset, level=ds.level, agreement=AGREEMENT.get(ds.dataset),
                events=rows[k:k + 500]))
    return assignments, batches


@asynccontextmanager
async def running_federation(nats_env, linker_url: str, scorer_url: str):
    """The linker and the scorer in-process, the other services as NATS connections."""
    run_migrations(LINKER_MIGRATIONS, linker_url)
    run_migrations(SCORER_MIGRATIONS, scorer_url)
    linker = linker_app(LinkerSettings(**nats_env.settings_kwargs("linker", linker_url),
                                       profile_interval_s=0.1, export_interval_s=0.1,
                                       export_profiles_per_chunk=25))
    scorer = scorer_app(ScorerSettings(**nats_env.settings_kwargs("scorer", scorer_url)),
                        today=lambda: TODAY)
    peers = {s: await nats_env.bus(s)
             for s in ("gateway", "pseudonymiser", "consent", "reidentify", "linker")}
    js = {s: peer.js for s, peer in peers.items()}
    flags_sub = await js["reidentify"].pull_subscribe_bind(
        durable="reidentify", stream=subjects.FLAGS.stream)
    try:
        async with linker.router.lifespan_context(linker), \
                scorer.router.lifespan_context(scorer), \
                httpx.AsyncClient(transport=httpx.ASGITransport(app=scorer),
                                  base_url="http://test") as client:
            fed = Federation(linker, scorer, client, nats_env, peers, flags_sub)
            for catalogue in catalogues():
                await fed.send("gateway", subjects.CODES.subject, catalogue)
            await eventually(lambda: state_of(scorer).consumers["codes"].applied == len(
                catalogues()))
            yield fed
    finally:
        await close(*peers.values())


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def federation(nats_env, tmp_path_factory):
    root = tmp_path_factory.mktemp("bulk")
    async with running_federation(nats_env, f"sqlite+aiosqlite:///{root / 'linker.db'}",
                                  f"sqlite+aiosqlite:///{root / 'scorer.db'}") as fed:
        yield fed


async def test_bulk_rescore_gives_the_incremental_flags(federation):
    fed = federation
    borough = generate_borough(5, 120, TODAY)
    opted_out = sorted(borough.truth.optouts)
    for i, pid in enumerate(opted_out):  # one opts out of the purpose only
        await fed.send("consent", subjects.DECISIONS.subject, m.ConsentDecision(
            decision_id=uuid.uuid4().hex, person=pid, status="opt_out",
            scope="purpose:early-help-triage" if i == 0 else "all",
            decided_on=date(2026, 5, 1), effective=True, sequence=sequence()))
    await eventually(lambda: state_of(fed.scorer).consumers["decisions"].applied == len(opted_out))
    assignments, batches = inputs(borough)
    await fed.send("pseudonymiser", subjects.ASSIGNMENTS.subject,
                   m.AssignmentBatch(assignments=assignments))
    for batch in batches:
        await fed.send("gateway", subjects.EVENTS.for_dataset(batch.dataset), batch)
    await eventually(fed.settled, timeout=90, interval=0.5)
    await eventually(fed.settled, timeout=30, interval=0.5)  # the last round's profiles

    incremental = await fed.snapshot()
    flags = await fed.collect()
    final = {}
    for f in flags:
        final[(f.pseudonym, f.rule_id)] = f.active
    raised = {k for k, active in final.items() if active}
    assert raised == {(e[0], e[1]) for e in incremental if e[9]}
    assert {r for _, r in raised} >= {RULE, "troubled-families-phase-two"}
    assert any(e[12] and e[12].count(" ") > 3 for e in incremental)  # 3+ agreements
    blocked = {pid for pid in opted_out}
    assert not any(p in blocked for p, r in raised if r == RULE)

    # the same database re-scored in bulk: nothing changes, no flag is sent
    status = await fed.rescore()
    assert status["flag_changes"] == 0 and status["profiles"] > 100
    assert status["chunks"]["person"] > 2 and status["chunks"]["household"] > 2
    assert await fed.snapshot() == incremental
    assert await fed.collect() == []

    # every evaluation gone, then a bulk re-score interrupted after a chunk was stored by
    # JetStream but before the export's progress was committed: it resumes, and every
    # flag is raised exactly once, with the counts the incremental path gave
    async with state_of(fed.scorer).sessionmaker() as s, s.begin():
        await s.execute(delete(Evaluation))
    exporter = state_of(fed.linker).exporter
    exporter.fail_after = exporter.chunks_sent + 3
    status = await fed.rescore()
    assert exporter.fail_after is None  # the interruption happened
    assert await fed.snapshot() == incremental
    again = await eventually(fed.collect)
    again += await fed.collect()
    assert sorted((f.pseudonym, f.rule_id) for f in again) == sorted(raised)
    assert all(f.active for f in again) and status["flag_changes"] == len(raised)
    stored = {(e[0], e[1]): e for e in incremental}
    for f in again:
        e = stored[(f.pseudonym, f.rule_id)]
        assert (f.area, f.indicators, f.health, f.non_health, f.headlines, f.score,
                " ".join(f.agreements)) == (e[3], *e[4:9], e[12].strip())

    # stored counts that no longer match the profiles are rewritten (set-based updates);
    # flags go out again for the active ones, whose counts changed
    async with state_of(fed.scorer).sessionmaker() as s, s.begin():
        await s.execute(update(Evaluation).values(score=-1.0, next_change=None, active=False))
    status = await fed.rescore()
    assert await fed.snapshot() == incremental
    resent = await eventually(fed.collect)
    resent += await fed.collect()
    assert sorted((f.pseudonym, f.rule_id) for f in resent) == sorted(raised)
    assert status["flag_changes"] == len(raised)


async def test_a_changed_profile_wins_over_an_older_export(federation):
    """A Profile message with a larger sequence than an export chunk's was read after the
    export: the chunk skips it. A Profile message with a smaller one, applied after the
    chunk, is older than it and changes nothing; a newer one does."""
    fed = federation
    from services.scorer import repository as repo

    request_id = uuid.uuid4().hex
    async with state_of(fed.scorer).sessionmaker() as s, s.begin():
        await repo.add_rescore(s, request_id, ["person"])
    fresh, other = f"P-{uuid.uuid4().hex[:8]}", f"P-{uuid.uuid4().hex[:8]}"
    mixed = ("GP1", "SCH1", "HOU1", "CSC1", "POL1")
    older, exported = sequence(), sequence()
    newer = person(fresh, recent(*mixed))
    await fed.send("linker", subjects.PROFILES.subject, m.ProfileBatch(profiles=[newer]))

    async def flagged(p):
        async with state_of(fed.scorer).sessionmaker() as s:
            e = await s.get(Evaluation, (p, RULE))
            return e is not None and e.active
    await eventually(lambda: flagged(fresh))
    on = TODAY.replace(day=1)
    events = {fresh: [], other: [(key(c), on) for c in mixed]}
    names = sorted(events)
    chunk = chunk_of([events[p] for p in names], "person").model_copy(update={
        "request_id": request_id, "pseudonyms": names, "sequence": exported})
    await fed.send("linker", subjects.PROFILE_EXPORT.subject, chunk)
    await eventually(lambda: flagged(other))
    assert await flagged(fresh)  # the older, empty snapshot did not clear it
    async with state_of(fed.scorer).sessionmaker() as s:
        row = await repo.get_rescore(s, request_id)
        assert row.finished_at is not None and row.profiles == 1

    profiles = state_of(fed.scorer).consumers["profiles"]
    applied = profiles.applied
    stale = m.Profile(pseudonym=other, level="person", area="OL1", events=[], sequence=older)
    await fed.send("linker", subjects.PROFILES.subject, m.ProfileBatch(profiles=[stale]))
    await eventually(lambda: profiles.applied > applied)
    assert await flagged(other)  # the chunk is newer than the empty profile
    cleared = stale.model_copy(update={"sequence": sequence()})
    await fed.send("linker", subjects.PROFILES.subject, m.ProfileBatch(profiles=[cleared]))
    await eventually(lambda: not_flagged(fed, other))


async def not_flagged(fed, pseudonym: str) -> bool:
    async with state_of(fed.scorer).sessionmaker() as s:
        return await s.get(Evaluation, (pseudonym, RULE)) is None
