"""Clerical review, institutions and the full re-link, through NATS and the HTTP API.

A pair in the review band is queued; a linkage officer's decision merges or splits the
persons, is published with the re-assignments, and binds later re-links. Institutions
never become family households. The re-link reconciles clusters and keeps pseudonyms.
"""

from __future__ import annotations

import httpx
import pytest

from services.common import messages as m
from services.common.state import state_of
from services.pseudonymiser import relink
from services.pseudonymiser.outgoing import publish
from services.pseudonymiser.service import Outcome
from tests.pseudonymiser.test_service import person


@pytest.fixture
def officer(pseudonymiser, nats_env):
    token = nats_env.token("pseudonymiser", subject="officer-7", roles=["linkage-officer"])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=pseudonymiser.app),
                             base_url="http://test",
                             headers={"Authorization": f"Bearer {token}"})


async def queued_pair(officer, token_a: str, token_b: str) -> dict:
    reply = await officer.get("/v1/review", params={"limit": 200})
    assert reply.status_code == 200, reply.text
    for pair in reply.json():
        if {r["record_token"] for r in pair["records"]} == {token_a, token_b}:
            return pair
    raise AssertionError("pair not queued")


async def test_twins_are_queued_and_a_match_decision_merges(pseudonymiser, officer):
    fed = pseudonymiser.fed
    # same family, date of birth and address, different given names: twins or one person?
    a = person(family_name="Abernethy", given_name="Callum")
    b = person(family_name="Abernethy", given_name="Calvin")
    await fed.processed(await fed.publish([a, b]))
    pa, pb = await fed.latest(a["record_token"]), await fed.latest(b["record_token"])
    assert pa.person != pb.person

    pair = await queued_pair(officer, a["record_token"], b["record_token"])
    assert pair["status"] == "pending" and 0.5 <= pair["probability"] <= 1
    assert {r["given_name"] for r in pair["records"]} == {"Callum", "Calvin"}

    decided = await officer.post(f"/v1/review/{pair['pair_id']}", json={"decision": "match"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["pair"]["status"] == "match"
    assert decided.json()["pair"]["decided_by"] == "officer-7"
    # the pair at its own address, as the decision left it
    alone = await officer.get(f"/v1/review/{pair['pair_id']}")
    assert alone.status_code == 200, alone.text
    assert alone.json() == decided.json()["pair"]
    moved = await fed.latest(b["record_token"], min_version=2)
    assert moved.person == pa.person
    assert m.ClusterChange(kind="merge", survivor=pa.person, others=[pb.person],
                           reason="review") in fed.changes
    assert (await fed.reidentify(pb.person)).found is False

    # the decision binds the full re-link too: still one person, nothing moves
    report = await run_relink(pseudonymiser)
    assert report.moved_records == 0


async def test_non_match_decision_splits_and_binds_the_relink(pseudonymiser, officer):
    fed = pseudonymiser.fed
    a = person(family_name="Brennan", given_name="Siobhan", sex="F")
    b = person(family_name="Brennan", given_name="Siobhan", sex="F", postcode="OL9 9ZZ",
               address="1 Other Road")
    await fed.processed(await fed.publish([a]))
    await fed.processed(await fed.publish([b], dataset="school-census"))
    pa = await fed.latest(a["record_token"])
    assert (await fed.latest(b["record_token"])).person == pa.person  # a mover, linked

    # an officer knows better: queue the pair by hand (as a re-link would) and split
    session_maker = state_of(pseudonymiser.app).sessionmaker
    from services.pseudonymiser import repository as repo
    async with session_maker() as s, s.begin():
        await repo.add_review_pairs(s, {tuple(sorted((a["record_token"],
                                                      b["record_token"]))): 0.95}, "test")
    pair = await queued_pair(officer, a["record_token"], b["record_token"])
    decided = await officer.post(f"/v1/review/{pair['pair_id']}",
                                 json={"decision": "non_match"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["changes"] == 1
    split = await fed.latest(b["record_token"], min_version=2)
    assert split.person != pa.person
    assert any(c.kind == "split" and c.survivor == pa.person and c.others == [split.person]
               and c.reason == "review" for c in fed.changes)
    assert (await fed.latest(a["record_token"])).person == pa.person  # survivor keeps it

    # the model would link them again; the re-link obeys the decision instead
    report = await run_relink(pseudonymiser)
    assert report.moved_records == 0
    # and a new record linking to both cannot join them either
    c = person(family_name="Brennan", given_name="Siobhan", sex="F")
    await fed.processed(await fed.publish([c], dataset="housing-tenancies"))
    assert (await fed.latest(c["record_token"])).person in (pa.person, split.person)
    assert (await fed.latest(b["record_token"])).person != (
        await fed.latest(a["record_token"])).person


async def test_review_needs_the_linkage_officer_role(pseudonymiser, nats_env):
    token = nats_env.token("pseudonymiser", subject="cw", roles=["caseworker"])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=pseudonymiser.app),
                                 base_url="http://test") as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/v1/review", headers=headers)).status_code == 403
        assert (await client.post("/v1/review/rp_x", json={"decision": "match"},
                                  headers=headers)).status_code == 403
        assert (await client.get("/v1/review/rp_x", headers=headers)).status_code == 403
        assert (await client.get("/v1/review")).status_code == 401


async def test_unknown_pair_is_404(officer):
    for reply in (await officer.post("/v1/review/rp_nope", json={"decision": "match"}),
                  await officer.get("/v1/review/rp_nope")):
        assert reply.status_code == 404
        assert reply.headers["content-type"].startswith("application/problem+json")


async def test_childrens_home_is_not_a_household(pseudonymiser):
    fed = pseudonymiser.fed
    # by name: the address line says what it is
    home = dict(address="Laurel House Children's Home, 4 Bank Street", postcode="OL2 5PP")
    residents = [person(given_name=g, family_name=f, date_of_birth=d, **home) for g, f, d in [
        ("Kayden", "Walsh", "2010-02-01"), ("Amira", "Hussain", "2011-05-06")]]
    await fed.processed(await fed.publish(residents))
    for r in residents:
        got = await fed.latest(r["record_token"])
        assert got.household is None and got.area == "OL2"
    callout = dict(record_token=f"prop-{residents[0]['record_token']}", local_id="inc-77",
                   **home)
    await fed.processed(await fed.publish([callout], dataset="police-callouts",
                                          level="property"))
    assert (await fed.latest(callout["record_token"])).household is None


async def test_many_unrelated_residents_make_an_institution(pseudonymiser):
    """No keyword: the address looks like a family home until its residents do not."""
    fed = pseudonymiser.fed
    addr = dict(address="Ashgrove, 19 Queens Road", postcode="OL8 4AA")
    names = [("Tyler", "Moss"), ("Jade", "Kowalski"), ("Liam", "Osei"), ("Ella", "Ahmed"),
             ("Noah", "Fitzgerald"), ("Maya", "Singh")]
    rows = [person(given_name=g, family_name=f, date_of_birth=f"2009-0{i + 1}-1{i}", **addr)
            for i, (g, f) in enumerate(names)]
    await fed.processed(await fed.publish(rows[:3]))
    first = await fed.latest(rows[0]["record_token"])
    assert first.household is not None  # three people: could be a family
    await fed.processed(await fed.publish(rows[3:]))
    for r in rows:
        got = await fed.latest(r["record_token"], min_version=2 if r in rows[:3] else 1)
        assert got.household is None and got.area == "OL8"


async def run_relink(pseudonymiser):
    app = pseudonymiser.app
    service = state_of(app).service
    async with state_of(app).sessionmaker() as session, session.begin():
        report, batch = await relink.relink(service, session)  # takes the linkage lock
        publish(state_of(app).rt.outbox, session,
                Outcome(assignments=batch.assignments, changes=batch.changes))
    return report


async def test_one_record_per_person_dataset_never_merges_its_own_records(pseudonymiser):
    """A practice list holds each patient once: two of its records that the model would
    link (an exact duplicate in all but the local ID) stay two persons, while a record
    from another dataset still links to one of them."""
    fed = pseudonymiser.fed
    a = person(family_name="Quigley", given_name="Fergus")
    b = person(family_name="Quigley", given_name="Fergus")
    await fed.processed(await fed.publish([a, b], dataset="gp-p99999",
                                          one_record_per_person=True))
    pa, pb = await fed.latest(a["record_token"]), await fed.latest(b["record_token"])
    assert pa.person != pb.person
    # without the flag the same pair is one person
    c = person(family_name="Quigley", given_name="Fergus", date_of_birth="1970-01-01")
    d = person(family_name="Quigley", given_name="Fergus", date_of_birth="1970-01-01")
    await fed.processed(await fed.publish([c, d], dataset="housing-tenancies"))
    assert (await fed.latest(c["record_token"])).person == (
        await fed.latest(d["record_token"])).person
    # a third record elsewhere links to (at most) one of the practice's two patients
    e = person(family_name="Quigley", given_name="Fergus")
    await fed.processed(await fed.publish([e], dataset="school-census"))
    assert (await fed.latest(e["record_token"])).person in (pa.person, pb.person)
    assert (await fed.latest(a["record_token"])).person != (
        await fed.latest(b["record_token"])).person
    # and the full re-link keeps them apart too
    report = await run_relink(pseudonymiser)
    assert (await fed.latest(a["record_token"])).person != (
        await fed.latest(b["record_token"])).person
    assert report.records > 0


async def pair_status(officer, pair_id: str, status: str) -> dict:
    reply = await officer.get("/v1/review", params={"status": status, "limit": 200})
    assert reply.status_code == 200, reply.text
    return next((p for p in reply.json() if p["pair_id"] == pair_id), None)


async def test_the_queue_stays_true_after_decisions_and_relinks(pseudonymiser, officer):
    """A pending pair a merge has answered, and one a re-link scores below the review
    band, leave the queue as superseded, saying why; the rest are re-scored."""
    from services.pseudonymiser import repository as repo

    fed = pseudonymiser.fed
    a = person(family_name="Cartwright", given_name="Callum")
    a2 = person(family_name="Cartwright", given_name="Callum", local_id="other")
    b = person(family_name="Cartwright", given_name="Calvin")
    far = person(family_name="Quillfeather", given_name="Zed", date_of_birth="1951-01-02",
                 postcode="OL8 4RT", address="9 Far Lane, Oldham")
    await fed.processed(await fed.publish([a, b, far]))
    await fed.processed(await fed.publish([a2], dataset="school-census"))
    pa = await fed.latest(a["record_token"])
    assert (await fed.latest(a2["record_token"])).person == pa.person
    assert (await fed.latest(b["record_token"])).person != pa.person
    twins = await queued_pair(officer, a["record_token"], b["record_token"])
    # the same question asked of a's other record, and one the model would never ask
    async with state_of(pseudonymiser.app).sessionmaker() as s, s.begin():
        await repo.add_review_pairs(s, {
            tuple(sorted((a2["record_token"], b["record_token"]))): 0.6,
            tuple(sorted((far["record_token"], b["record_token"]))): 0.7}, "test")
    same = await queued_pair(officer, a2["record_token"], b["record_token"])
    unlike = await queued_pair(officer, far["record_token"], b["record_token"])
    assert same["status"] == unlike["status"] == "pending"
    assert unlike["band"] == "review"  # 0.7 under the default thresholds (0.5, 0.9)

    decided = await officer.post(f"/v1/review/{twins['pair_id']}",
                                 json={"decision": "match"})
    assert decided.status_code == 200, decided.text
    gone = await pair_status(officer, same["pair_id"], "superseded")
    assert gone is not None and gone["resolution"] == "same-person"
    assert await pair_status(officer, unlike["pair_id"], "pending") is not None

    report = await run_relink(pseudonymiser)
    assert report.review_superseded >= 1
    below = await pair_status(officer, unlike["pair_id"], "superseded")
    assert below is not None and below["resolution"] == "below-review"
    assert twins["pair_id"] not in {p["pair_id"] for p in (await officer.get(
        "/v1/review", params={"status": "superseded", "limit": 200})).json()}


async def test_a_pair_shows_the_evidence_for_and_against(pseudonymiser, officer):
    fed = pseudonymiser.fed
    a = person(family_name="Delacourt", given_name="Callum", date_of_birth="2012-05-06")
    b = person(family_name="Delacourt", given_name="Calvin", date_of_birth="2012-05-06")
    await fed.processed(await fed.publish([a, b]))
    pair = await queued_pair(officer, a["record_token"], b["record_token"])
    weights = {e["comparison"]: e for e in pair["evidence"]}
    assert weights["family_name"]["match_weight"] > 0  # agrees: counts for
    assert weights["dob"]["level"].startswith("Exact") and weights["dob"]["match_weight"] > 0
    assert weights["given_name"]["match_weight"] < 0  # another name: counts against
    assert weights["nhs_number"]["match_weight"] == 0  # missing: counts for nothing
