"""The linkage model's online life (learning.py): a model trained on the held records
while identity batches keep arriving, checked, swapped in and re-linked piece by piece,
with nothing lost and no person duplicated; refusal, forcing, resuming and the policy."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from datetime import date
from itertools import combinations
from types import SimpleNamespace

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import select, update

from services.common.db import run_migrations
from services.common.state import state_of
from services.pseudonymiser import relink
from services.pseudonymiser.app import create_app
from services.pseudonymiser.models import IdentityRecord, LinkageModelVersion, Person
from services.pseudonymiser.probabilistic import LinkageModel, Thresholds
from services.pseudonymiser.settings import PseudonymiserSettings
from synthetic import generate_borough
from tests.pseudonymiser.conftest import MIGRATIONS, Federation
from tests.support import eventually

FIELDS = ("local_id", "given_name", "family_name", "date_of_birth", "sex", "address",
          "postcode", "nhs_number", "uprn", "address_line_2", "locality")


@pytest.fixture(scope="module")
def borough():
    """Messy partner data: the bundled model links some of it, a trained one most."""
    data = generate_borough(21, 220, date(2025, 3, 31), error_rate=0.5)
    rows, truth = [], {}
    for ds in data.datasets:
        if ds.level != "person":
            continue
        for r in ds.identities:
            token = f"{ds.dataset}|{r['local_id']}"
            rows.append((ds.dataset, {"record_token": token,
                                      **{k: r.get(k) for k in FIELDS}}))
            truth[token] = data.truth.records[(ds.partner, ds.dataset, r["local_id"])].person_id
    random.Random(5).shuffle(rows)
    return SimpleNamespace(rows=rows, truth=truth)


def cautious_model(path) -> str:
    """The bundled model linking only near-certain pairs: like a model trained on other
    data, it misses many true pairs (a model the service trains has the usual bands)."""
    model = LinkageModel.from_json(PseudonymiserSettings().model_path.read_text())
    path.write_text(model.with_thresholds(Thresholds(link=1 - 2 ** -26, review=0.5)).to_json())
    return str(path)


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def learner(nats_env, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("learning")
    url = f"sqlite+aiosqlite:///{tmp / 'p.db'}"
    run_migrations(MIGRATIONS, url)
    settings = PseudonymiserSettings(
        **nats_env.settings_kwargs("pseudonymiser", url),
        person_key_path=nats_env.layout.key("pseudonym-person"),
        household_key_path=nats_env.layout.key("pseudonym-household"),
        model_path=cautious_model(tmp / "model.json"), learn_auto=False, learn_u_max_pairs=2e5, relink_chunk_pieces=5,
        learn_check_interval_s=0.2, learn_quiet_s=0.5, learn_min_records=100)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        fed = Federation(nats_env)
        await fed.start()
        token = nats_env.token("pseudonymiser", subject="officer-3", roles=["linkage-officer"])
        officer = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                    base_url="http://test",
                                    headers={"Authorization": f"Bearer {token}"})
        try:
            yield SimpleNamespace(app=app, fed=fed, officer=officer,
                                  learning=state_of(app).learning, settings=settings)
        finally:
            await fed.close()


async def send(fed: Federation, rows: list[tuple[str, dict]], size: int) -> list[str]:
    """Identity batches of `size` rows, one dataset each; returns their ids."""
    by_dataset: dict[str, list[dict]] = {}
    for dataset, row in rows:
        by_dataset.setdefault(dataset, []).append(row)
    ids = []
    for dataset, part in by_dataset.items():
        for start in range(0, len(part), size):
            ids.append(await fed.publish(part[start:start + size], dataset=dataset))
    return ids


async def held(app) -> dict[str, int]:
    async with state_of(app).rt.sessionmaker() as session:
        rows = await session.execute(select(IdentityRecord.record_token, IdentityRecord.person_id)
                                     .where(IdentityRecord.level == "person"))
        return dict(rows.all())


def pairwise_f1(owner: dict[str, int], truth: dict[str, str]) -> float:
    def pairs(groups: dict) -> set:
        by: dict = {}
        for token, g in groups.items():
            by.setdefault(g, []).append(token)
        return {tuple(sorted(p)) for members in by.values() for p in combinations(members, 2)}

    got, want = pairs(owner), pairs({t: truth[t] for t in owner})
    tp = len(got & want)
    return 2 * tp / (len(got) + len(want)) if got or want else 1.0


async def status(learner) -> dict:
    reply = await learner.officer.get("/v1/linkage/model")
    assert reply.status_code == 200, reply.text
    return reply.json()


async def job_ended(learner) -> dict:
    async def ended():
        job = (await status(learner))["job"]
        return job if job and job["state"] != "running" else None
    return await eventually(ended, timeout=240)


async def test_a_model_trained_swapped_and_relinked_while_batches_arrive(learner, borough,
                                                                         monkeypatch):
    fed, app = learner.fed, learner.app
    apply = relink.apply
    linked_while_relinking = asyncio.Event()

    async def slow_apply(*args, **kwargs):
        """A re-link long enough to link batches during: each piece waits (a while at most)
        until a batch has been linked while it re-links, however fast the machine."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                await linked_while_relinking.wait()
        await asyncio.sleep(0.3)
        return await apply(*args, **kwargs)

    monkeypatch.setattr(relink, "apply", slow_apply)
    cut, cut2 = len(borough.rows) * 6 // 10, len(borough.rows) * 7 // 10
    for batch_id in await send(fed, borough.rows[:cut], 100):
        await fed.processed(batch_id)
    before = await held(app)
    bundled = (await status(learner))["in_use"]
    f1_before = pairwise_f1(before, borough.truth)

    started = await learner.officer.post("/v1/linkage/model/train", json={})
    assert started.status_code == 202, started.text
    assert (await learner.officer.post("/v1/linkage/model/train")).status_code == 409
    # more arrives while it trains, and the rest while it re-links, a small batch at a time
    stages: Counter = Counter()
    sent = []

    async def trickle(rows):
        for start in range(0, len(rows), 10):
            sent.extend(await send(fed, rows[start:start + 10], 10))
            await fed.processed(sent[-1])
            stage = learner.learning.job.stage if learner.learning.running else "after"
            stages[stage] += 1
            if stage == "relinking":
                linked_while_relinking.set()

    await trickle(borough.rows[cut:cut2])
    await eventually(lambda: learner.learning.job.stage in ("relinking", "reviews")
                     or not learner.learning.running, interval=0.01, timeout=120)
    await trickle(borough.rows[cut2:])
    job = await job_ended(learner)
    for batch_id in sent:
        await fed.processed(batch_id)

    assert job["state"] == "done", job
    assert job["check"]["passed"] and job["model_version"] != bundled
    assert job["caught_up"] > 0  # batches linked by the old model while it trained
    assert stages["training"] > 0 and stages["relinking"] > 0, stages
    after = await status(learner)
    assert after["in_use"] == after["active"]["version"] == job["model_version"]
    assert after["active"]["relinked_at"] is not None
    assert after["active"]["trained_on"] == job["records"]

    # nothing lost: every record held, in a person, as last published
    owner = await held(app)
    assert set(owner) == {row["record_token"] for _, row in borough.rows}
    async with state_of(app).rt.sessionmaker() as session:
        persons = dict((await session.execute(select(Person.id, Person.pseudonym))).all())
        empty = (await session.execute(select(Person.id).where(
            Person.merged_into.is_(None), ~Person.id.in_(
                select(IdentityRecord.person_id).where(
                    IdentityRecord.person_id.is_not(None)))))).scalars().all()
    assert empty == []  # no person without records

    async def published():
        await fed.pump()
        latest = {t: max(fed.assignments[t], key=lambda a: a.version).person
                  for t in owner if fed.assignments.get(t)}
        return latest if len(latest) == len(owner) else None
    latest = await eventually(published)
    assert latest == {t: persons[p] for t, p in owner.items()}

    # better linkage, and no person the new model would merge with another
    f1_after = pairwise_f1(owner, borough.truth)
    assert f1_after > f1_before + 0.05 and f1_after >= 0.97, (f1_before, f1_after)
    assert job["merges"] > 0 and job["review_superseded"] > 0
    service = state_of(app).service
    scored = await asyncio.to_thread(service.linkage.index.score_all)
    async with state_of(app).rt.sessionmaker() as session:
        plan = await relink.make_plan(session, scored)
    current = dict(owner)
    spanning = [p for p in plan.pieces if len({current[t] for g in p for t in g}) > 1]
    assert spanning == []


async def test_an_owed_relink_resumes_and_changes_nothing_when_done(learner):
    app = learner.app
    before = await held(app)
    async with state_of(app).rt.sessionmaker() as session, session.begin():
        await session.execute(update(LinkageModelVersion).values(relinked_at=None))
    await learner.learning.resume()
    job = await job_ended(learner)
    assert job["state"] == "done" and job["train"] is False
    assert job["merges"] == job["splits"] == 0
    assert await held(app) == before
    assert (await status(learner))["active"]["relinked_at"] is not None


async def test_a_model_failing_its_check_is_refused_unless_forced(learner, monkeypatch):
    app = learner.app
    before, version = await held(app), (await status(learner))["in_use"]
    monkeypatch.setattr(learner.settings, "learn_min_kept", 1.01)  # no model can pass
    assert (await learner.officer.post("/v1/linkage/model/train")).status_code == 202
    job = await job_ended(learner)
    assert job["state"] == "refused" and "keeps" in job["error"]
    assert (await status(learner))["in_use"] == version
    assert await held(app) == before

    assert (await learner.officer.post("/v1/linkage/model/train",
                                       json={"force": True})).status_code == 202
    job = await job_ended(learner)
    assert job["state"] == "done" and not job["check"]["passed"]


async def test_the_policy_waits_for_a_pause_and_for_growth(learner, monkeypatch):
    learning, service = learner.learning, state_of(learner.app).service
    trained_on = (await status(learner))["active"]["trained_on"]
    monkeypatch.setattr(learner.settings, "learn_auto", True)
    assert learning.next_training_at(trained_on) == -(-trained_on * 125 // 100)
    assert await learning.due() is None  # not grown
    monkeypatch.setattr(learner.settings, "learn_growth", 0.0)
    service.last_linked = time.monotonic()  # a batch just now
    assert await learning.due() is None
    service.last_linked = 0.0
    assert "grew" in (await learning.due())
    monkeypatch.setattr(learner.settings, "learn_auto", False)
    assert await learning.due() is None
