"""The pseudonymiser through NATS: linkage, merges, households, opt-outs, consent, reidentify."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

import httpx

from services.common import messages as m
from services.common import subjects
from services.common.state import state_of
from services.common.tokens import TokenVerifier
from services.pseudonymiser import repository as repo
from services.pseudonymiser.models import ConsentRecord
from tests.support import eventually, sequence


def tok() -> str:
    return "rt_" + uuid.uuid4().hex


def person(**kw) -> dict:
    row = dict(record_token=tok(), local_id=uuid.uuid4().hex[:8], given_name="Robert",
               family_name="Smith", date_of_birth="1985-03-07", sex="M",
               address="12 High Street, Oldham", postcode="OL1 1AB")
    row.update(kw)
    return row


async def test_health_and_verifier(pseudonymiser):
    app = pseudonymiser.app
    assert isinstance(state_of(app).gatekeeper.verifier, TokenVerifier)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://test") as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text


async def test_same_person_gets_one_pseudonym_and_household(pseudonymiser):
    fed = pseudonymiser.fed
    a = person(family_name="Kowalczyk", given_name="Małgorzata", sex="F")
    b = person(family_name="KOWALCZYK", given_name="Gosia", sex=None, postcode="ol11ab",
               address="12 high st")
    other = person(family_name="Kowalczyk", given_name="Zofia", sex="F")  # a twin
    batch = await fed.publish([a, other])
    assert await fed.processed(batch) == 2
    batch2 = await fed.publish([b], dataset="school-census")
    assert await fed.processed(batch2) == 1
    first, second, twin = await fed.latest(a["record_token"]), await fed.latest(
        b["record_token"]), await fed.latest(other["record_token"])
    assert first.person == second.person and first.person.startswith("p_")
    assert twin.person != first.person
    assert first.household == second.household == twin.household
    assert first.household.startswith("h_") and first.area == "OL1"
    assert (first.level, first.withheld, first.version) == ("person", False, 1)


async def test_property_record_attaches_to_household(pseudonymiser):
    fed = pseudonymiser.fed
    resident = person(family_name="Pritchard", given_name="Ffion", sex="F",
                      address="7 Mill Lane", postcode="OL4 2QT")
    await fed.processed(await fed.publish([resident]))
    callout = dict(record_token=tok(), local_id="inc-1", address="7, MILL LANE",
                   postcode="ol4 2qt")
    await fed.processed(await fed.publish([callout], dataset="police-callouts",
                                          level="property"))
    home = await fed.latest(resident["record_token"])
    prop = await fed.latest(callout["record_token"])
    assert prop.level == "property" and prop.person is None
    assert prop.household == home.household and prop.area == "OL4"
    reply = await fed.reidentify(home.household, level="household")
    assert reply.found and [s.given_name for s in reply.subjects] == ["Ffion"]


async def test_household_first_seen_without_postcode_gets_its_area(pseudonymiser):
    fed = pseudonymiser.fed
    # A police call-out keyed by UPRN alone creates the household with no area ...
    callout = dict(record_token=tok(), local_id="inc-9", uprn="100012345678")
    await fed.processed(await fed.publish([callout], dataset="police-callouts",
                                          level="property"))
    assert (await fed.latest(callout["record_token"])).area is None
    # ... then a resident at that UPRN with a postcode gives it one; and a person whose
    # latest record has the UPRN but no postcode takes the postcode of an earlier record.
    tenant = person(family_name="Okonjo", given_name="Adaeze", sex="F",
                    date_of_birth="1979-11-02", uprn="100012345678", postcode="OL8 3RT")
    await fed.processed(await fed.publish([tenant], dataset="housing-tenancies"))
    assert (await fed.latest(tenant["record_token"])).area == "OL8"
    # ... which is stored: a later call-out there is placed in the area
    later = dict(record_token=tok(), local_id="inc-10", uprn="100012345678")
    await fed.processed(await fed.publish([later], dataset="police-callouts",
                                          level="property"))
    assert (await fed.latest(later["record_token"])).area == "OL8"
    gp = person(family_name="Byrne", given_name="Ciara", sex="F",
                date_of_birth="1991-06-14", postcode="OL9 7AA", address="3 Kent St")
    await fed.processed(await fed.publish([gp]))
    csc = person(family_name="Byrne", given_name="Ciara", sex="F",
                 date_of_birth="1991-06-14", postcode=None, uprn="100099990000")
    await fed.processed(await fed.publish([csc], dataset="csc-contacts"))
    latest = await fed.latest(csc["record_token"])
    assert latest.person == (await fed.latest(gp["record_token"])).person
    assert latest.area == "OL9"


async def test_bridging_record_merges_and_survivor_keeps_pseudonym(pseudonymiser):
    fed = pseudonymiser.fed
    # a: no address; b: a nickname and no date of birth; nothing ties them together
    a = person(family_name="Okonkwo", given_name="Robert", address=None, postcode=None)
    b = person(family_name="Okonkwo", given_name="Bob", date_of_birth=None)
    await fed.processed(await fed.publish([a]))
    await fed.processed(await fed.publish([b]))
    pa, pb = await fed.latest(a["record_token"]), await fed.latest(b["record_token"])
    assert pa.person != pb.person

    # the full record links to both: the persons merge, the older keeps its pseudonym
    bridge = person(family_name="Okonkwo", given_name="Robert")
    await fed.processed(await fed.publish([bridge], dataset="csc-contacts"))
    assert (await fed.latest(bridge["record_token"])).person == pa.person
    moved = await fed.latest(b["record_token"], min_version=2)
    assert moved.person == pa.person and moved.version == 2
    assert {x.person for x in fed.assignments[a["record_token"]]} == {pa.person}
    assert m.ClusterChange(kind="merge", survivor=pa.person, others=[pb.person],
                           reason="linkage") in fed.changes
    assert (await fed.reidentify(pb.person)).found is False
    assert (await fed.reidentify(pa.person)).found is True


async def test_mover_changes_household_with_higher_version(pseudonymiser):
    fed = pseudonymiser.fed
    old = person(family_name="Nowak", given_name="Piotr")
    await fed.processed(await fed.publish([old]))
    before = await fed.latest(old["record_token"])
    new = person(family_name="Nowak", given_name="Piotr", address="3 Union Street",
                 postcode="OL8 1XY")
    await fed.processed(await fed.publish([new], dataset="housing-tenancies"))
    after = await fed.latest(old["record_token"], min_version=2)
    assert after.person == before.person
    assert after.household != before.household and after.area == "OL8"
    assert (await fed.latest(new["record_token"])).household == after.household


async def test_optout_resolves_without_assignment(pseudonymiser):
    fed = pseudonymiser.fed
    data = person(family_name="O'Sullivan", given_name="Siân", sex="F")
    await fed.processed(await fed.publish([data]))
    pseudonym = (await fed.latest(data["record_token"])).person
    optout = person(family_name="OSullivan", given_name="Sian", sex="F", postcode=None)
    batch = await fed.publish([optout], channel=subjects.OPTOUTS)
    assert await fed.processed(batch) == 1

    async def resolved():
        await fed.pump()
        return fed.resolved.get(optout["record_token"])

    (res,) = await eventually(resolved)
    assert res.person == pseudonym and res.household
    assert optout["record_token"] not in fed.assignments


async def test_consent_withholds_and_reidentify_answers_withheld(pseudonymiser, caplog):
    fed = pseudonymiser.fed
    caplog.set_level(logging.DEBUG, logger="tessera")
    a = person(family_name="Llewellyn", given_name="Dafydd", nhs_number="9434765919")
    b = person(family_name="Llewelyn", given_name="Dafydd", nhs_number=None)
    await fed.processed(await fed.publish([a, b]))
    pa = await fed.latest(a["record_token"])
    assert (await fed.latest(b["record_token"])).person == pa.person

    reply = await fed.reidentify(pa.person)
    assert reply.found and not reply.withheld and len(reply.subjects) == 1
    who = reply.subjects[0]
    assert (who.given_name, who.family_name, who.sex) == ("Dafydd", "Llewelyn", "M")
    assert who.address == "12 High Street, Oldham" and who.postcode == "OL1 1AB"
    house = await fed.reidentify(pa.household, level="household")
    assert house.found and any(s.family_name == "Llewelyn" for s in house.subjects)
    assert (await fed.reidentify("p_unknown")).found is False
    assert (await fed.reidentify("h_unknown", level="household")).found is False

    await fed.decide(pa.person, "opt_out", scope="partner:gp-p81001")  # recorded only
    await fed.decide(pa.person, "opt_out")
    withheld = await fed.latest(a["record_token"], min_version=2)
    assert withheld.withheld and withheld.person == pa.person
    assert (await fed.latest(b["record_token"], min_version=2)).withheld
    reply = await fed.reidentify(pa.person)
    assert reply.found and reply.withheld and reply.subjects == []

    late = person(family_name="Llewellyn", given_name="Dafydd", nhs_number="9434765919",
                  date_of_birth=None)
    await fed.processed(await fed.publish([late], dataset="csc-contacts"))
    late_a = await fed.latest(late["record_token"])
    assert late_a.person == pa.person and late_a.withheld

    await fed.decide(pa.person, "consent")
    again = await fed.latest(a["record_token"], min_version=3)
    assert not again.withheld
    assert (await fed.reidentify(pa.person)).subjects
    for secret in ("Dafydd", "Llewel", "High Street", "OL1 1AB", "9434765919"):
        assert secret not in caplog.text


async def test_an_older_decision_applied_after_a_newer_one_changes_nothing(pseudonymiser):
    """Of two decisions for one person, consent's later one holds in whichever order they
    are applied: an opt-out applied after the consent that lifted it withholds nothing."""
    fed = pseudonymiser.fed
    a = person(family_name="Okonkwo", given_name="Chidinma", sex="F",
               date_of_birth="1990-11-23", address="4 Mill Lane, Oldham", postcode="OL4 2JT")
    await fed.processed(await fed.publish([a]))
    pa = await fed.latest(a["record_token"])
    older = sequence()
    decided = [await fed.decide(pa.person, "consent"),
               await fed.decide(pa.person, "opt_out", order=older)]
    sessionmaker = state_of(pseudonymiser.app).sessionmaker

    async def both_applied():
        async with sessionmaker() as s:
            return all([await s.get(ConsentRecord, d) for d in decided])

    await eventually(both_applied)
    async with sessionmaker() as s:
        assert not (await repo.person_by_pseudonym(s, pa.person)).withheld
    await fed.decide(pa.person, "opt_out")  # a later one holds
    assert (await fed.latest(a["record_token"], min_version=2)).withheld


async def test_redelivered_batch_is_applied_once(pseudonymiser):
    fed = pseudonymiser.fed
    consumer = state_of(pseudonymiser.app).consumers["identity"]
    lost = []

    async def lose_first_ack(msg):
        if msg.metadata.num_delivered == 1:
            lost.append(msg.metadata.sequence.stream)
            await msg.nak()  # committed, but the ack never arrived: NATS redelivers
            return
        await msg.ack()

    consumer._acknowledge = lose_first_ack
    try:
        row = person(family_name="Adeyemi", given_name="Tunde")
        batch = await fed.publish([row])
        assert await fed.processed(batch) == 1
        await eventually(lambda: lost)
        js = state_of(pseudonymiser.app).rt.js

        async def drained():
            info = await js.consumer_info(subjects.IDENTITY.stream, "pseudonymiser")
            return info.num_pending + info.num_ack_pending == 0

        await eventually(drained)
    finally:
        del consumer._acknowledge
    await fed.pump()
    assert fed.progress[(batch, 0)] == 1
    assert [a.version for a in fed.assignments[row["record_token"]]] == [1]


async def test_groups_scored_ahead_link_with_the_groups_before_them(pseudonymiser):
    """Many one-row batches queue up: while a group is linked the next is scored ahead,
    and a record still links to the same person's records linked in between."""
    fed = pseudonymiser.fed
    service = state_of(pseudonymiser.app).service
    used = service.linkage.scored_ahead
    people = [dict(family_name=f"Ahead{n}", given_name=g, date_of_birth=f"19{60 + n}-04-0{k}")
              for n, (g, k) in enumerate([("Oluwaseun", 2), ("Gwenllian", 3), ("Radoslaw", 5),
                                         ("Thandiwe", 6), ("Eilidh", 7), ("Ifeoma", 8)])]
    sent: dict[int, list[str]] = {}
    batches = []
    for copy in range(4):  # the same people again, from another dataset each time
        for n, who in enumerate(people):
            row = person(**who, address=f"{n + 1} Ahead Road", postcode=f"OL{n + 1} 9ZZ")
            sent.setdefault(n, []).append(row["record_token"])
            batches.append(await fed.publish([row], dataset=f"ahead-{copy}"))
    for b in batches:
        assert await fed.processed(b) == 1
    for tokens in sent.values():
        got = {(await fed.latest(t)).person for t in tokens}
        assert len(got) == 1
    assert len({(await fed.latest(ts[0])).person for ts in sent.values()}) == len(people)
    assert service.linkage.scored_ahead > used


async def test_a_linkage_call_holds_the_lock_until_its_transaction_ends(pseudonymiser):
    """An opt-out batch and an identity batch naming the same record: the second call
    waits until the first has committed, then finds the record held (before, it read
    while the first's insert was uncommitted and inserted the token again)."""
    service = state_of(pseudonymiser.app).service
    sessionmaker = state_of(pseudonymiser.app).sessionmaker
    row = person(family_name="Lockwood", given_name="Ngozi", sex="F")

    def batch(name: str) -> m.IdentityBatch:
        return m.IdentityBatch(batch_id=f"lock-{name}-{uuid.uuid4().hex[:8]}", chunk=0,
                               partner="p-lock", dataset="lock", level="person",
                               rows=[m.IdentityRow(**row)])

    async def second_call():
        async with sessionmaker() as session, session.begin():
            return await service.ingest(session, [batch("data")], "data")

    async with sessionmaker() as session, session.begin():
        await service.ingest(session, [batch("optout")], "optout")
        waiting = asyncio.create_task(second_call())
        await asyncio.sleep(0.5)
        assert not waiting.done()  # it waits for this transaction, not only this call
    outcome = await asyncio.wait_for(waiting, 30)
    assert [a.record_token for a in outcome.assignments] == [row["record_token"]]
    assert not service.lock.locked()
    async with sessionmaker() as session:  # a failed transaction gives the lock back too
        with contextlib.suppress(RuntimeError):
            async with session.begin():
                await service.ingest(session, [batch("again")], "data")
                raise RuntimeError("rolled back")
    assert not service.lock.locked()
