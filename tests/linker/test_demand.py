"""Neighbourhood demand: counts per area and dataset, small numbers suppressed, concentration.

Its own module, so the linker's database holds only what these tests put in it."""

from __future__ import annotations

import asyncio
from datetime import date

from services.common.messages import Assignment
from tests.linker.conftest import new
from tests.support import eventually

D = date(2026, 3, 1)


def assignment(token, person, area):
    return Assignment(record_token=token, level="person", person=person, area=area, version=1)


async def test_concurrent_events_and_assignments_all_join(linker):
    # Published together, the two consumers race; every event must still reach its person.
    tokens = [new("rt") for _ in range(20)]
    persons = [new("P") for _ in tokens]
    await asyncio.gather(
        linker.assign(*[assignment(t, p, "OL1") for t, p in zip(tokens, persons, strict=True)]),
        *[linker.events("gp-p81001", "gp-p81001", [(t, "GP1", D)]) for t in tokens],
    )
    for p in persons:
        await linker.wait_profile(p, lambda prof: len(prof.events) == 1)


async def test_demand_suppresses_small_numbers_and_reports_concentration(linker):
    # OL2: 12 persons, one of them with 10 GP events and the others 1 each; OL3: 3 persons;
    # OL4: 80 persons with 1 event each.
    big = [new("rt") for _ in range(12)]
    small = [new("rt") for _ in range(3)]
    many = [new("rt") for _ in range(80)]
    await linker.assign(*[assignment(t, new("P"), "OL2") for t in big],
                        *[assignment(t, new("P"), "OL3") for t in small],
                        *[assignment(t, new("P"), "OL4") for t in many])
    rows = ([(big[0], "GP1", D)] * 9 + [(t, "GP2", D) for t in big]
            + [(t, "GP3", D) for t in small + many])
    batch = await linker.events("gp-p81001", "gp-p81001", rows)
    await linker.wait_progress(batch)
    await eventually(lambda: linker.assignment(many[-1]))

    url = "/v1/areas/demand"
    assert (await linker.client.get(url)).status_code == 401
    caseworker = linker.nats_env.token("linker", roles=["caseworker"])
    denied = await linker.client.get(url, headers={"Authorization": f"Bearer {caseworker}"})
    assert denied.status_code == 403
    assert denied.headers["content-type"].startswith("application/problem+json")

    analyst = linker.nats_env.token("linker", roles=["analyst"])
    response = await linker.client.get(url, headers={"Authorization": f"Bearer {analyst}"})
    assert response.status_code == 200
    body = response.json()
    by_area = {r["area"]: r for r in body["areas"]}
    assert {r["dataset"] for r in body["areas"]} == {"gp-p81001"}
    # the concurrent test above left 20 persons with one event each in OL1
    assert by_area["OL1"] == {"area": "OL1", "dataset": "gp-p81001", "events": 20,
                              "persons": 20, "suppressed": False}
    assert by_area["OL4"] == {"area": "OL4", "dataset": "gp-p81001", "events": 80,
                              "persons": 80, "suppressed": False}
    # OL3's 3 persons are hidden, and so is OL2: with the total shown, OL3 alone hidden
    # would be the total less the others
    hidden = {"events": None, "persons": None, "suppressed": True}
    assert by_area["OL3"] == {"area": "OL3", "dataset": "gp-p81001", **hidden}
    assert by_area["OL2"] == {"area": "OL2", "dataset": "gp-p81001", **hidden}
    c = body["concentration"]
    assert (c["persons"], c["events"], c["suppressed"]) == (115, 124, True)
    # the top 10% is 12 persons (the one with 10 events and 11 with 1 each): shown; the
    # top 1% and 5% (2 and 6 persons) are fewer than k, so not
    assert c["top_10_percent"] == round(21 / 124, 4)
    assert (c["top_1_percent"], c["top_5_percent"]) == (None, None)
    assert body["disclosure"] == {
        "rule": body["disclosure"]["rule"], "threshold": 10, "counts": 10, "hidden": 4,
        "secondary": 2}
