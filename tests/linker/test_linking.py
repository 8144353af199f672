"""Events join pseudonyms in either order; versions, withholding and opt-outs are obeyed,
and of two decisions the one consent recorded last, in whichever order they arrive."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from services.common.db import utcnow
from services.common.messages import Assignment
from services.common.state import state_of
from services.linker import repository as repo
from tests.linker.conftest import codes, new
from tests.support import eventually, sequence

D = date(2026, 4, 1)


def person(token: str, pseudonym: str, version: int = 1, household: str | None = None,
           area: str | None = "OL1", withheld: bool = False) -> Assignment:
    return Assignment(record_token=token, level="person", person=pseudonym,
                      household=household, area=area, withheld=withheld, version=version)


async def test_events_before_and_after_assignment_both_join(linker):
    token, pseudonym = new("rt"), new("P")
    first = await linker.events("gp-p81001", "gp-p81001", [(token, "GP1", D), (token, "GP2", D)])
    progress = await linker.wait_progress(first)
    assert (progress.service, progress.processed) == ("linker", 2)
    assert len(await linker.stored_events(token)) == 2  # pending, kept
    assert await linker.seen(pseudonym) == []

    await linker.assign(person(token, pseudonym, area="OL4"))
    profile = await linker.wait_profile(pseudonym, lambda p: len(p.events) == 2)
    assert (profile.level, profile.area, codes(profile)) == ("person", "OL4", ["GP1", "GP2"])

    await linker.events("schools-la", "school-census", [(token, "SCH1", D)])
    profile = await linker.wait_profile(pseudonym, lambda p: len(p.events) == 3)
    assert codes(profile) == ["GP1", "GP2", "SCH1"]


async def test_only_a_higher_version_replaces_an_assignment(linker):
    token, winner, loser = new("rt"), new("P"), new("P")
    await linker.events("gp-p81001", "gp-p81001", [(token, "GP3", D)])
    await linker.assign(person(token, winner, version=2))
    await linker.wait_profile(winner, lambda p: codes(p) == ["GP3"])
    await linker.assign(person(token, loser, version=1), person(token, loser, version=2))
    await linker.assign(person(token, winner, version=2))  # replay: no change
    marker = await linker.events("gp-p81001", "gp-p81001", [(token, "GP4", D)])
    await linker.wait_progress(marker)
    await linker.wait_profile(winner, lambda p: codes(p) == ["GP3", "GP4"])
    stored = await linker.assignment(token)
    assert (stored.person, stored.version) == (winner, 2)
    assert await linker.seen(loser) == []


async def test_withheld_assignment_keeps_events_out_until_the_sweep_erases_them(linker):
    token, pseudonym = new("rt"), new("P")
    await linker.assign(person(token, pseudonym))
    await linker.events("gp-p81001", "gp-p81001", [(token, "GP1", D)])
    await linker.wait_profile(pseudonym, lambda p: len(p.events) == 1)
    await linker.assign(person(token, pseudonym, version=2, withheld=True))
    await linker.wait_profile(pseudonym, lambda p: p.events == [])
    assert len(await linker.stored_events(token)) == 1  # held, in no profile
    later = await linker.events("gp-p81001", "gp-p81001", [(token, "GP2", D)] * 1)
    assert (await linker.wait_progress(later)).processed == 1
    assert len(await linker.stored_events(token)) == 1  # later ones dropped
    sweep = state_of(linker.app).retention.sweep
    await sweep(utcnow() + timedelta(days=29))
    assert len(await linker.stored_events(token)) == 1  # the opt-out may still be undone
    await sweep(utcnow() + timedelta(days=31))
    assert await linker.stored_events(token) == []


async def test_withheld_before_events_drops_them(linker):
    token = new("rt")
    await linker.assign(person(token, new("P"), withheld=True))
    await eventually(lambda: linker.assignment(token))
    batch = await linker.events("gp-p81001", "gp-p81001", [(token, "GP1", D)])
    assert (await linker.wait_progress(batch)).processed == 1
    assert await linker.stored_events(token) == []


async def test_opt_out_by_partner_then_all_then_lifted(linker):
    gp, school, pseudonym = new("rt"), new("rt"), new("P")
    await linker.assign(person(gp, pseudonym), person(school, pseudonym))
    await linker.events("gp-p81001", "gp-p81001", [(gp, "GP1", D)])
    await linker.events("schools-la", "school-census", [(school, "SCH1", D)])
    await linker.wait_profile(pseudonym, lambda p: codes(p) == ["GP1", "SCH1"])

    await linker.decide(pseudonym, "opt_out", "partner:gp-p81001")
    await linker.wait_profile(pseudonym, lambda p: codes(p) == ["SCH1"])
    assert await linker.stored_events(gp) == []
    assert len(await linker.stored_events(school)) == 1
    dropped = await linker.events("gp-p81001", "gp-p81001", [(gp, "GP2", D)])
    await linker.events("schools-la", "school-census", [(school, "SCH2", D)])
    await linker.wait_profile(pseudonym, lambda p: codes(p) == ["SCH1", "SCH2"])
    assert (await linker.wait_progress(dropped)).processed == 1
    assert await linker.stored_events(gp) == []

    await linker.decide(pseudonym, "opt_out", "purpose:early-help-triage")  # not the linker's
    await linker.decide(pseudonym, "opt_out", "all", effective=False)  # not winning
    await linker.decide(pseudonym, "opt_out", "all")
    await linker.wait_profile(pseudonym, lambda p: p.events == [])
    assert len(await linker.stored_events(school)) == 2  # withheld, not yet erased
    after = await linker.events("schools-la", "school-census", [(school, "SCH3", D)])
    await linker.wait_progress(after)
    assert len(await linker.stored_events(school)) == 2  # later ones dropped

    await linker.decide(pseudonym, "withdrawn", "all")
    await linker.decide(pseudonym, "consent", "partner:gp-p81001")
    # the pseudonymiser assigns the person's records again, no longer withheld
    await linker.assign(person(gp, pseudonym, version=2), person(school, pseudonym, version=2))
    await asyncio.sleep(0.3)
    await linker.events("gp-p81001", "gp-p81001", [(gp, "GP5", D)])
    # what was withheld is back; what the partner opt-out deleted, or arrived while the
    # opt-out stood, is not
    await linker.wait_profile(pseudonym, lambda p: codes(p) == ["GP5", "SCH1", "SCH2"])


async def test_merge_moves_record_token_and_publishes_both_profiles(linker):
    a, b, prop = new("rt"), new("rt"), new("rt")
    pa, pb, household = new("P"), new("P"), new("H")
    await linker.events("gp-p81001", "gp-p81001", [(a, "GP1", D)])
    await linker.events("schools-la", "school-census", [(b, "SCH1", D)])
    await linker.events("police-gmp", "police-callouts", [(prop, "POL1", D)], level="property")
    await linker.assign(person(a, pa, household=household), person(b, pb, household=household),
                        Assignment(record_token=prop, level="property", household=household,
                                   area="OL8", version=1))
    await linker.wait_profile(pb, lambda p: codes(p) == ["SCH1"])
    await linker.wait_profile(household, lambda p: codes(p) == ["GP1", "POL1", "SCH1"])

    await linker.assign(person(b, pa, version=2, household=household, area="OL9"))
    merged = await linker.wait_profile(pa, lambda p: codes(p) == ["GP1", "SCH1"])
    assert merged.area == "OL9"  # from the latest assignment
    await linker.wait_profile(pb, lambda p: p.events == [])

    # split the household: the old one loses the member's events, the new one gains them
    other = new("H")
    await linker.assign(person(b, pa, version=3, household=other))
    await linker.wait_profile(other, lambda p: codes(p) == ["SCH1"])
    await linker.wait_profile(household, lambda p: codes(p) == ["GP1", "POL1"])


async def test_duplicate_events_are_stored_once(linker):
    token, pseudonym = new("rt"), new("P")
    await linker.assign(person(token, pseudonym))
    batch = await linker.events("gp-p81001", "gp-p81001", [(token, "GP1", D)])
    await linker.wait_progress(batch)
    row = (await linker.stored_events(token))[0]
    from services.common import messages as m
    from services.common import subjects
    again = m.EventBatch(batch_id=new("b"), chunk=0, partner="gp-p81001", dataset="gp-p81001",
                         level="person", events=[m.EventRow(
                             record_token=token, event_token=row.event_token, code="GP1",
                             occurred_on=D)] * 2)
    await linker._send("gateway", subjects.EVENTS.for_dataset("gp-p81001"), again)
    await linker.wait_progress(again.batch_id)
    assert len(await linker.stored_events(token)) == 1


async def test_queued_assignment_messages_applied_together_leave_the_latest(linker):
    """Assignment messages queued together are applied in one transaction (a group): each
    record ends at its latest version wherever it came in the queue, and the profiles
    show where its events are now, not where a message in between put them."""
    a, b = new("rt"), new("rt")
    first, middle, last = new("P"), new("P"), new("P")
    await linker.events("gp-p81001", "gp-p81001", [(a, "GP1", D), (b, "GP2", D)])
    await linker.assign(person(a, first), person(b, first))
    await linker.wait_profile(first, lambda p: codes(p) == ["GP1", "GP2"])
    consumer = state_of(linker.app).consumers["assignments"]
    applied, real, sizes = consumer.applied, consumer.group, []
    assert real is not None

    async def counting(session, items):
        sizes.append(len(items))
        await real(session, items)

    consumer.group = counting
    await consumer.stop()  # the next messages queue up
    try:
        await linker.assign(person(a, middle, version=2), person(b, middle, version=2))
        await linker.assign(person(a, last, version=3))
        await linker.assign(person(b, middle, version=2))  # a replay
    finally:
        consumer.start()
    await eventually(lambda: consumer.applied == applied + 3)
    await linker.wait_profile(last, lambda p: codes(p) == ["GP1"])
    await linker.wait_profile(middle, lambda p: codes(p) == ["GP2"])
    await linker.wait_profile(first, lambda p: p.events == [])
    assert ((await linker.assignment(a)).person, (await linker.assignment(b)).version) == (
        last, 2)
    assert sizes == [3]  # one transaction for the three
    consumer.group = real


async def test_an_opt_out_applied_after_its_lift_leaves_nothing_withheld(linker):
    """The decisions and the pseudonymiser's re-assignments travel apart: the opt-out may be
    applied here after the re-assignment that lifted it. The lift still releases."""
    token, pseudonym = new("rt"), new("P")
    await linker.assign(person(token, pseudonym))
    await linker.events("gp-p81001", "gp-p81001", [(token, "GP1", D)])
    await linker.wait_profile(pseudonym, lambda p: codes(p) == ["GP1"])
    await linker.assign(person(token, pseudonym, version=2, withheld=True))
    await linker.assign(person(token, pseudonym, version=3))  # the lift, as assigned
    await linker.wait_profile(pseudonym, lambda p: codes(p) == ["GP1"])
    await linker.decide(pseudonym, "opt_out", "all")  # the opt-out, applied late
    await linker.wait_profile(pseudonym, lambda p: p.events == [])
    await linker.decide(pseudonym, "withdrawn", "all")
    await linker.wait_profile(pseudonym, lambda p: codes(p) == ["GP1"])
    assert not (await linker.assignment(token)).withheld


async def test_an_older_decision_applied_after_a_newer_one_changes_nothing(linker):
    """Two processes may apply two decisions for one person and scope in either order:
    an opt-out recorded before the consent that lifted it, applied after it, is older
    (its sequence is smaller) and withholds nothing."""
    token, pseudonym = new("rt"), new("P")
    await linker.assign(person(token, pseudonym))
    await linker.events("gp-p81001", "gp-p81001", [(token, "GP1", D)])
    await linker.wait_profile(pseudonym, lambda p: codes(p) == ["GP1"])
    opted_out, consented = sequence(), sequence()
    decisions = state_of(linker.app).consumers["decisions"]
    applied = decisions.applied
    for scope in ("all", "partner:gp-p81001"):
        await linker.decide(pseudonym, "consent", scope, order=consented)
        await linker.decide(pseudonym, "opt_out", scope, order=opted_out)
    await eventually(lambda: decisions.applied == applied + 4)
    assert not (await linker.assignment(token)).withheld
    assert [e.code for e in await linker.stored_events(token)] == ["GP1"]
    async with state_of(linker.app).sessionmaker() as s:
        assert await repo.optouts_of(s, [pseudonym]) == {}
    # a later opt-out still applies
    await linker.decide(pseudonym, "opt_out", "all")
    await linker.wait_profile(pseudonym, lambda p: p.events == [])
    assert (await linker.assignment(token)).withheld
