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
    # Area OL2: 12 persons; one of them has 10 GP events, the others 1 each. Area OL3: 3 persons.
    big = [new("rt") for _ in range(12)]
    small = [new("rt") for _ in range(3)]
    await linker.assign(*[assignment(t, new("P"), "OL2") for t in big],
                        *[assignment(t, new("P"), "OL3") for t in small])
    rows = [(big[0], "GP1", D)] * 9 + [(t, "GP2", D) for t in big] + [(t, "GP3", D) for t in small]
    batch = await linker.events("gp-p81001", "gp-p81001", rows)
    await linker.wait_progress(batch)
    await eventually(lambda: linker.assignment(small[-1]))

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
    by_area = {(r["area"], r["dataset"]): r for r in body["areas"]}
    # the concurrent test above left 20 persons with one event each in OL1
    assert by_area[("OL1", "gp-p81001")] == {"area": "OL1", "dataset": "gp-p81001",
                                             "events": 20, "persons": 20, "suppressed": False}
    assert by_area[("OL2", "gp-p81001")] == {"area": "OL2", "dataset": "gp-p81001",
                                             "events": 21, "persons": 12, "suppressed": False}
    assert by_area[("OL3", "gp-p81001")] == {"area": "OL3", "dataset": "gp-p81001",
                                             "events": None, "persons": None, "suppressed": True}
    c = body["concentration"]
    # 35 persons, 44 events; top 1% and 5% = 1 and 2 persons, top 10% = 4 persons
    assert (c["persons"], c["events"], c["suppressed"]) == (35, 44, False)
    assert c["top_1_percent"] == round(10 / 44, 4)
    assert c["top_5_percent"] == round(11 / 44, 4)
    assert c["top_10_percent"] == round(13 / 44, 4)
    assert body["threshold"] == 10
