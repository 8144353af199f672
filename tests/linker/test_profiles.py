"""Area profiles against the synthetic borough's truth: the council's lookup and population
uploaded, every record assigned to its true person and LSOA, every event sent; then rates
compared with the truth, and an attacker given every count of several overlapping requests
tries to work out a hidden one.

Its own module, so the linker's database holds only this borough."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest
import pytest_asyncio

from services.common import messages as m
from services.common import subjects
from synthetic import generate_borough
from synthetic.geography import month_of, true_demand
from tests.disclosure_attack import attack
from tests.scorer.conftest import catalogues
from tests.support import eventually

K = 10
AS_OF = date(2026, 6, 1)


@pytest.fixture(scope="module")
def borough():
    return generate_borough(seed=29, households=500, as_of=AS_OF)


def place_of(borough, truth) -> str:
    pop = borough.population
    if truth.person_id:
        address = pop.people[truth.person_id].address_id
    else:
        owner = truth.household_id or truth.institution_id
        address = (pop.households.get(owner) or pop.institutions[owner]).address_id
    return borough.geography.lsoa_of_postcode[pop.addresses[address].postcode]


def headers(linker, *roles):
    return {"Authorization": f"Bearer {linker.nats_env.token('linker', roles=list(roles))}"}


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def loaded(linker, borough):
    geo = borough.geography
    admin = headers(linker, "admin")
    csv = {"Content-Type": "text/csv"}
    r = await linker.client.put("/v1/areas/lookup", content=geo.lookup_csv(),
                                headers={**admin, **csv})
    assert r.status_code == 200, r.text
    assert r.json()["lsoas"] == len(geo.population)
    r = await linker.client.put("/v1/areas/population", content=geo.population_csv(),
                                headers={**admin, **csv})
    assert r.json() == {"lsoas": len(geo.population),
                        "residents": len(borough.population.people)}
    for catalogue in catalogues():
        await linker._send("gateway", subjects.CODES.subject, catalogue)
    assignments, total = [], 0
    for ds in borough.datasets:
        rows = []
        for e in ds.events:
            truth = borough.truth.records[(ds.partner, ds.dataset, e["local_id"])]
            token = f"{ds.dataset}:{e['local_id']}"
            rows.append((token, e["code"], date.fromisoformat(e["occurred_on"])))
            assignments.append(m.Assignment(
                record_token=token, level=truth.level, person=truth.person_id,
                household=truth.household_id, area="OL0", lsoa=place_of(borough, truth),
                version=1))
        total += len(rows)
        await linker.wait_progress(await linker.events(ds.partner, ds.dataset, rows,
                                                       level=ds.level))
    unique = {a.record_token: a for a in assignments}
    await linker.assign(*unique.values())
    last = list(unique)[-1]
    await eventually(lambda: linker.assignment(last))
    return total


async def get(linker, url, **params):
    r = await linker.client.get(url, params=params, headers=headers(linker, "analyst"))
    assert r.status_code == 200, r.text
    return r.json()


async def test_ward_rates_are_the_truth_where_shown(linker, borough, loaded):
    body = await get(linker, "/v1/areas/profile", level="ward")
    truth = true_demand(borough, "ward")
    residents = borough.geography.residents("ward")
    shown = hidden = 0
    assert sum(truth.values()) == loaded  # every event of the borough has an LSOA
    for area in body["areas"]:
        series = area["groups"][0]
        assert area["population"] == residents[area["area"]]
        for month, value in zip(body["months"], series["months"], strict=True):
            if value is None:
                hidden += 1
            else:
                shown += 1
                assert value == truth.get((area["area"], month), 0)
        if series["events"] is not None:
            expected = sum(truth.get((area["area"], mo), 0) for mo in body["months"])
            assert series["events"] == expected
            assert series["per_1000_residents"] == round(1000 * expected / area["population"], 2)
        else:
            assert None in series["months"]
    assert shown > 0 and hidden > 0  # the test exercises both
    overall = body["overall"]["groups"][0]
    by_month = Counter()
    for (_, month), n in truth.items():
        by_month[month] += n
    assert [by_month[mo] if v is not None else None for mo, v in
            zip(body["months"], overall["months"], strict=True)] == overall["months"]
    if overall["events"] is not None:
        assert overall["events"] == loaded
    assert body["overall"]["population"] == len(borough.population.people)


async def test_lsoa_breakdowns_are_refused_and_uploads_name_bad_rows(linker, loaded):
    r = await linker.client.get("/v1/areas/profile", params={"level": "lsoa", "by": "headline"},
                                headers=headers(linker, "analyst"))
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", "by"]
    bad = "lsoa21cd,population\nE01009000,12\nE99999999,5\nE01009001,many\n"
    r = await linker.client.put("/v1/areas/population", content=bad, headers={
        **headers(linker, "admin"), "Content-Type": "text/csv"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [e["loc"] for e in r.json()["errors"]] == [["body", 1, "lsoa21cd"],
                                                      ["body", 2, "population"]]
    assert "many" not in r.text and "E99999999" not in r.text
    r = await linker.client.put("/v1/areas/population", content=bad, headers={
        **headers(linker, "analyst"), "Content-Type": "text/csv"})
    assert r.status_code == 403


def cells_by_month(borough) -> dict[str, Counter]:
    """True events per (LSOA, category, headline) cell and month, as the tables count them."""
    categories = {(c.dataset, code.code): (code.category, code.headline or "none")
                  for c in catalogues() for code in c.codes}
    out: dict[str, Counter] = defaultdict(Counter)
    for ds in borough.datasets:
        for e in ds.events:
            truth = borough.truth.records[(ds.partner, ds.dataset, e["local_id"])]
            cat, head = categories[(ds.dataset, e["code"])]
            month = month_of(date.fromisoformat(e["occurred_on"]))
            out[month][(place_of(borough, truth), cat, head)] += 1
    return out


async def test_no_hidden_count_survives_differencing_of_overlapping_requests(
        linker, borough, loaded):
    geo = borough.geography
    requests = [("ward", "none", None, None), ("locality", "headline", None, None),
                ("ward", "category", None, None), ("lsoa", "none", None, None),
                ("locality", "none", "2025-01", "2025-06"),
                ("locality", "none", "2025-04", "2025-09")]
    released: dict[str, dict[tuple, int | None]] = defaultdict(dict)  # month -> count -> shown
    windows = []
    for level, by, first, last in requests:
        params = {"level": level, "by": by, **({"from": first, "to": last} if first else {})}
        body = await get(linker, "/v1/areas/profile", **params)
        for area in [*body["areas"], body["overall"]]:
            lvl = "all" if area["area"] == "all" else level
            for g in area["groups"]:
                for month, value in zip(body["months"], g["months"], strict=True):
                    released[month][(lvl, area["area"], by, g["group"])] = value
                windows.append((g["months"], g["events"]))
    # a window's total is the sum of its months, never a count of its own
    for months, total in windows:
        assert total == (None if None in months else sum(months))

    def inside(count, cell) -> bool:
        lvl, area, by, group = count
        lsoa, cat, head = cell
        if lvl != "all" and geo.area_of(lsoa, lvl) != area:
            return False
        return by == "none" or group == (cat if by == "category" else head)

    truth = cells_by_month(borough)
    attacked = 0
    for month, counts in released.items():
        sizes = truth.get(month, Counter())
        cells = list(sizes)
        keys = list(counts)
        members = [[c for c in cells if inside(key, c)] for key in keys]
        hidden = [counts[key] is None for key in keys]
        for key, member, h in zip(keys, members, hidden, strict=True):
            if not h:  # what is shown is the truth
                assert counts[key] == sum(sizes[c] for c in member)
        if any(1 <= sum(sizes[c] for c in mm) < K for mm in members):
            attacked += 1
            assert attack(members, sizes, hidden, K) == [], month
    assert attacked > 0


async def test_concentration_over_all_residents(linker, borough, loaded):
    body = await get(linker, "/v1/areas/concentration", level="locality")
    people = borough.population.people
    per_person = Counter()
    for pid, events in borough.truth.person_events.items():
        per_person[pid] += len(events)
    overall = body["overall"]
    assert overall["population"] == len(people)
    with_demand = sum(1 for n in per_person.values() if n)
    assert overall["persons_with_demand"] == with_demand
    values = sorted(per_person.get(p, 0) for p in people)
    total, n = sum(values), len(values)
    expected_gini = 2 * sum((i + 1) * v for i, v in enumerate(values)) / (n * total) - (n + 1) / n
    assert overall["gini"] == round(expected_gini, 3)
    top10 = next(t for t in overall["top"] if t["residents_percent"] == 10.0)
    size = -(-n // 10)
    assert top10["demand_share"] == round(sum(sorted(values, reverse=True)[:size]) / total, 4)
    curve = overall["lorenz"]
    assert curve[0] == [0.0, 0.0] and curve[-1] == [1.0, 1.0]
    steps = [round(b[0] * n) - round(a[0] * n)
             for a, b in zip(curve[1:], curve[2:], strict=False)]
    assert all(s >= K for s in steps)


async def test_charts_are_served_as_svg_and_png(linker, loaded):
    auth = headers(linker, "coordinator")
    for url in ("/v1/areas/profile", "/v1/areas/concentration"):
        svg = await linker.client.get(url + ".svg", headers=auth)
        assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
        assert svg.text.startswith("<?xml") and "<polyline" in svg.text or "<rect" in svg.text
        png = await linker.client.get(url + ".png", headers=auth)
        assert png.headers["content-type"] == "image/png"
        assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert (await linker.client.get("/v1/areas/profile.gif", headers=auth)).status_code == 404
