"""Partner-scoped reidentify requests: only the asking partner's own local IDs, no identity."""

from __future__ import annotations

from services.common.state import state_of
from services.pseudonymiser import identity
from tests.pseudonymiser import reference
from tests.pseudonymiser.conftest import every_request
from tests.pseudonymiser.test_service import person


async def ask(fed, pseudonym: str, partner: str, level: str = "person") -> identity.Answer:
    return await fed.ask(pseudonym, level, partner)


async def test_partner_gets_only_its_own_local_ids(pseudonymiser):
    fed = pseudonymiser.fed
    gp = person(family_name="Okonkwo-Hale", given_name="Chidi", local_id="EMIS-1001",
                address="3 Larch Road", postcode="OL2 5RT")
    sibling = person(family_name="Okonkwo-Hale", given_name="Amara", sex="F",
                     date_of_birth="2012-06-01", local_id="EMIS-1002",
                     address="3 Larch Road", postcode="OL2 5RT")
    school = person(family_name="Okonkwo-Hale", given_name="Chidi", local_id="UPN-77",
                    address="3 Larch Road", postcode="OL2 5RT")
    await fed.processed(await fed.publish([gp, sibling]))
    await fed.processed(await fed.publish([school], dataset="school-census"))
    a = await fed.latest(gp["record_token"])
    assert (await fed.latest(school["record_token"])).person == a.person

    reply = await ask(fed, a.person, "p-gp-p81001")
    assert (reply.found, reply.subjects) == (True, [])
    assert [(r.dataset, r.local_id) for r in reply.local_ids] == [("gp-p81001", "EMIS-1001")]
    reply = await ask(fed, a.person, "p-school-census")
    assert [(r.dataset, r.local_id) for r in reply.local_ids] == [("school-census", "UPN-77")]
    reply = await ask(fed, a.person, "p-somebody-else")
    assert (reply.found, reply.local_ids, reply.subjects) == (True, [], [])
    # a household: every member's records of that partner, and nothing of the others
    reply = await ask(fed, a.household, "p-gp-p81001", level="household")
    assert sorted(r.local_id for r in reply.local_ids) == ["EMIS-1001", "EMIS-1002"]
    assert reply.subjects == []
    assert "Chidi" not in repr(reply)
    # unknown pseudonyms are not found; a plain reidentify still returns the identity
    assert (await ask(fed, "p_unknown", "p-gp-p81001")).found is False
    plain = await fed.reidentify(a.person)
    assert plain.subjects and plain.local_ids == []


async def test_withheld_person_gives_no_local_ids(pseudonymiser):
    fed = pseudonymiser.fed
    row = person(family_name="Vasquez-Lindqvist", given_name="Ines", sex="F",
                 local_id="EMIS-2001", address="9 Birch Close", postcode="OL3 6TT")
    await fed.processed(await fed.publish([row]))
    a = await fed.latest(row["record_token"])
    await fed.decide(a.person, "opt_out")
    await fed.latest(row["record_token"], min_version=2)
    reply = await ask(fed, a.person, "p-gp-p81001")
    assert (reply.found, reply.withheld, reply.local_ids) == (True, True, [])


async def test_one_query_answer_equals_reidentify(pseudonymiser):
    """The responder's one-statement answer agrees with the reference answer (reference.py) for every
    person and household (withheld, merged, property-only households included)."""
    fed = pseudonymiser.fed
    a = person(family_name="Brennan-Ortiz", given_name="Tomasz", local_id="EMIS-3001",
               address="21 Ash Grove", postcode="OL5 9PP")
    b = person(family_name="Brennan-Ortiz", given_name="T.", local_id="UPN-3002",
               address="21 Ash Grove", postcode="OL5 9PP")
    flat = dict(record_token="rt_flat-" + a["record_token"], local_id="inc-3003",
                address="4 Empty Yard", postcode="OL6 1ZZ")
    await fed.processed(await fed.publish([a]))
    await fed.processed(await fed.publish([b], dataset="school-census"))
    await fed.processed(await fed.publish([flat], dataset="police-callouts",
                                          level="property"))
    async with state_of(pseudonymiser.app).sessionmaker() as s:
        asks = await every_request(s)
        assert sum(a.level == "person" for a in asks) > 4
        assert sum(a.level == "household" for a in asks) > 3
        kinds = set()
        for ask_ in asks:
            expected = await reference.reidentify(s, ask_)
            assert await identity.answer(s, ask_) == expected, ask_
            kinds.add((ask_.level, expected.found, expected.withheld, bool(expected.subjects)))
    assert {("person", True, True, False), ("person", False, False, False),
            ("person", True, False, True), ("household", True, False, True)} <= kinds
