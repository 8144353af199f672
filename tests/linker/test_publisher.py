"""Profile publication is coalesced: many batches touching one person publish one profile,
a mark set again while a round reads is kept for the next round, and a full republish goes
out in bounded rounds and messages. Sequences order one person's profiles across
publishers and exports. The periodic publisher is switched off here (an hour's
interval); each test runs the rounds itself."""

from __future__ import annotations

from datetime import date, timedelta

import pytest_asyncio
from sqlalchemy import func, select

from services.common import messages as m
from services.common import subjects
from services.common.state import state_of
from services.linker import repository as repo
from services.linker import service
from services.linker.models import Event, ProfileMark
from services.linker.publisher import ProfilePublisher
from tests.linker.conftest import codes, new, running_linker

D = date(2026, 4, 1)
PER_ROUND, PER_MESSAGE = 3, 2


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def linker(nats_env, tmp_path_factory):
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('linker') / 'linker.db'}"
    async with running_linker(nats_env, url, profile_interval_s=3600,
                              profiles_per_round=PER_ROUND,
                              profiles_per_message=PER_MESSAGE) as harness:
        yield harness


async def marks(linker) -> dict[tuple[str, str], ProfileMark]:
    async with state_of(linker.app).sessionmaker() as s:
        return {(k.pseudonym, k.level): k for k in (await s.execute(select(ProfileMark))).scalars()}


async def publish(linker) -> None:
    await state_of(linker.app).publisher.drain()
    await state_of(linker.app).rt.relay.flush()
    await linker.collect()


def person(token, pseudonym, household=None, version=1):
    return m.Assignment(record_token=token, level="person", person=pseudonym,
                        household=household, area="OL1", version=version)


async def test_many_batches_one_profile(linker):
    token, pseudonym, household = new("rt"), new("P"), new("H")
    await linker.assign(person(token, pseudonym, household))
    batches = [await linker.events("gp-p81001", "gp-p81001",
                                   [(token, f"GP{i}", D + timedelta(days=i))] * 1)
               for i in range(1, 9)]
    for batch in batches:
        await linker.wait_progress(batch)
    assert set(await marks(linker)) == {(pseudonym, "person"), (household, "household")}
    assert await linker.seen(pseudonym) == []  # nothing published by the handlers

    await publish(linker)
    [profile] = await linker.seen(pseudonym)
    assert codes(profile) == [f"GP{i}" for i in range(1, 9)]
    assert [e.occurred_on for e in profile.events] == sorted(e.occurred_on for e in profile.events)
    [hh] = await linker.seen(household)
    assert len(hh.events) == 8
    assert await marks(linker) == {}
    await publish(linker)  # nothing marked: nothing published again
    assert len(await linker.seen(pseudonym)) == 1
    async with state_of(linker.app).sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(Event).where(
            Event.record_token == token))).scalar_one() == 8


async def test_mark_set_again_during_a_round_is_kept(linker, monkeypatch):
    token, pseudonym = new("rt"), new("P")
    await linker.assign(person(token, pseudonym))
    await linker.wait_progress(await linker.events("gp-p81001", "gp-p81001", [(token, "GP1", D)]))
    build = service.build_profiles

    async def build_then_ingest(session, affected):
        profiles = await build(session, affected)
        # while the round holds its profiles, another batch for the same person commits
        await linker.wait_progress(
            await linker.events("gp-p81001", "gp-p81001", [(token, "GP2", D)]))
        return profiles

    monkeypatch.setattr(service, "build_profiles", build_then_ingest)
    await state_of(linker.app).publisher.round()
    monkeypatch.setattr(service, "build_profiles", build)
    await state_of(linker.app).rt.relay.flush()
    await linker.collect()
    # the round read GP1 only and sends it; the mark set again meanwhile is kept
    assert [codes(p) for p in await linker.seen(pseudonym)] == [["GP1"]]
    assert (pseudonym, "person") in await marks(linker)

    await publish(linker)
    assert [codes(p) for p in await linker.seen(pseudonym)] == [["GP1"], ["GP1", "GP2"]]
    assert await marks(linker) == {}


async def test_full_republish_goes_out_in_bounded_rounds(linker):
    await publish(linker)
    tokens = [new("rt") for _ in range(7)]
    persons = [new("P") for _ in tokens]
    await linker.assign(*[person(t, p) for t, p in zip(tokens, persons, strict=True)])
    await linker.wait_progress(await linker.events(
        "gp-p81001", "gp-p81001", [(t, "GP3", D) for t in tokens]))
    await publish(linker)
    linker.profiles.clear()
    linker.batch_sizes.clear()

    await linker._send("scorer", subjects.REPUBLISH.subject, m.RepublishRequest(
        request_id=new("r"), all=True, levels=["person", "household"]))
    await linker.wait_until_marked(len(persons))
    rounds = 0
    while await state_of(linker.app).publisher.round():
        rounds += 1
    await state_of(linker.app).rt.relay.flush()
    await linker.collect()
    published = {p.pseudonym for p in linker.profiles}
    assert set(persons) <= published
    assert rounds >= len(published) // PER_ROUND
    assert linker.batch_sizes and max(linker.batch_sizes) <= PER_MESSAGE
    assert len(linker.profiles) == len(published)  # each once
    assert await marks(linker) == {}


async def test_the_last_profile_of_two_publishers_has_the_largest_sequence(linker, monkeypatch):
    """Two linker instances publish one person's profile: A reads it, B reads and
    publishes it after a change, a further change comes, then A publishes what it read.
    A's profile is older than B's but its sequence is larger; the change after it leaves
    the mark, so the next profile, with every change, has a larger sequence still."""
    token, pseudonym = new("rt"), new("P")
    await linker.assign(person(token, pseudonym))
    await linker.wait_progress(await linker.events("gp-p81001", "gp-p81001", [(token, "GP1", D)]))
    a, b = state_of(linker.app).publisher, ProfilePublisher(state_of(linker.app).rt)
    build = service.build_profiles

    async def ingest(code: str) -> None:
        await linker.wait_progress(
            await linker.events("gp-p81001", "gp-p81001", [(token, code, D)]))

    async def b_publishes_between_changes(session, affected):
        profiles = await build(session, affected)
        monkeypatch.setattr(service, "build_profiles", build)
        await ingest("GP2")
        await b.round()
        await ingest("GP3")
        return profiles

    monkeypatch.setattr(service, "build_profiles", b_publishes_between_changes)
    await a.round()
    await publish(linker)
    profiles = await linker.seen(pseudonym)
    assert [codes(p) for p in profiles] == [["GP1", "GP2"], ["GP1"], ["GP1", "GP2", "GP3"]]
    assert profiles[0].sequence < profiles[1].sequence < profiles[2].sequence
    assert await marks(linker) == {}


async def test_an_export_is_ordered_between_the_profiles_around_it(linker):
    """An export chunk's sequence is at least that of every profile published before the
    export read, and smaller than that of a profile published for a change after it."""
    token, pseudonym = new("rt"), new("P")
    await linker.assign(person(token, pseudonym))
    await linker.wait_progress(await linker.events("gp-p81001", "gp-p81001", [(token, "GP1", D)]))
    await publish(linker)
    [before] = await linker.seen(pseudonym)
    request_id = new("r")
    async with state_of(linker.app).sessionmaker() as s, s.begin():
        await repo.add_exports(s, request_id, ["person"])
    chunks = await linker.peers["scorer"].js.pull_subscribe_bind(
        durable="scorer", stream=subjects.PROFILE_EXPORT.stream)
    await state_of(linker.app).exporter.run_pending()
    mine = []
    while not mine or not mine[-1].last:
        for msg in await chunks.fetch(10, timeout=5):
            chunk = m.ProfileExportChunk.model_validate_json(msg.data)
            await msg.ack()
            if chunk.request_id == request_id:
                mine.append(chunk)
    await chunks.unsubscribe()
    [exported] = [c for c in mine if pseudonym in c.pseudonyms]
    assert exported.sequence >= before.sequence
    await linker.wait_progress(await linker.events("gp-p81001", "gp-p81001", [(token, "GP2", D)]))
    await publish(linker)
    after = (await linker.seen(pseudonym))[-1]
    assert codes(after) == ["GP1", "GP2"] and after.sequence > exported.sequence
