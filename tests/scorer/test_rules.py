"""Rule sets over HTTP: listing, calibration against a brute-force count, threshold changes.

Its own module, so the scorer's evaluations hold only what these tests put in."""

from __future__ import annotations

import random
from datetime import timedelta

from services.common.messages import ProfileEvent
from services.scorer.rules import window_start
from tests.disclosure_attack import attack
from tests.scorer.conftest import RULE, TODAY, catalogues, key, new, person
from tests.support import eventually

CATEGORY = {c.code: c.category for cat in catalogues() for c in cat.codes}
HEADLINE = {c.code: c.headline for cat in catalogues() for c in cat.codes}
AREAS = ("OL1", "OL2", "OL4", None)


def population(seed: int = 7, size: int = 80):
    rng = random.Random(seed)
    codes = sorted(CATEGORY) + ["ZZ1", "ZZ2"]  # two codes of unknown category
    start = window_start(TODAY, "P6M")
    out = []
    for _ in range(size):
        events = []
        for code in rng.sample(codes, rng.randint(0, 12)):
            day = start + timedelta(days=rng.randint(-40, 200))  # some outside, some future
            events.append((code, day))
        out.append((new(), rng.choice(AREAS), events))
    return out, start


def members(people, start, n: int, mixed: bool, area="*", headlines: int = 0) -> set[str]:
    out = set()
    for who, a, events in people:
        if area != "*" and a != area:
            continue
        codes = {c for c, d in events if start < d <= TODAY and c in CATEGORY}
        health = sum(CATEGORY[c] == "health" for c in codes)
        if len({HEADLINE[c] for c in codes}) < headlines:
            continue
        if len(codes) >= n and (not mixed or (health >= 1 and len(codes) - health >= 1)):
            out.add(who)
    return out


def brute_force(people, start, n: int, mixed: bool, area="*", headlines: int = 0) -> int:
    return len(members(people, start, n, mixed, area, headlines))


async def test_rules_are_listed_and_guarded(scorer):
    url = "/v1/rules"
    assert (await scorer.client.get(url)).status_code == 401
    assert (await scorer.client.get(url, headers=scorer.headers("caseworker"))).status_code == 403
    body = (await scorer.client.get(url, headers=scorer.headers("analyst"))).json()
    [rule] = [r for r in body if r["id"] == RULE]
    assert (rule["version"], rule["level"], rule["window"]) == (1, "person", "P6M")
    assert rule["conditions"] == {"min_indicators": 5, "min_health": 1, "min_non_health": 1,
                                  "min_headlines": 0}
    assert rule["purposes"] == ["early-help-triage"]
    missing = await scorer.client.get("/v1/rules/nope/calibration",
                                      headers=scorer.headers("coordinator"))
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


async def test_a_deeply_nested_rule_document_is_400(scorer):
    depth = 100_000
    for content_type, body in [("application/json", b"[" * depth + b"]" * depth),
                               ("application/json", b'{"a":' * depth + b"1" + b"}" * depth),
                               ("application/yaml", b"[" * depth + b"]" * depth)]:
        r = await scorer.client.put(f"/v1/rules/{RULE}", content=body, headers={
            **scorer.headers("admin"), "Content-Type": content_type})
        assert r.status_code == 400, (content_type, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["detail"] == "the body is nested too deeply"
    rule = await scorer.client.get(f"/v1/rules/{RULE}", headers=scorer.headers("analyst"))
    assert rule.json()["version"] == 1


async def test_calibration_equals_brute_force(scorer):
    people, start = population()
    profiles = [person(p, [ProfileEvent(dataset=key(c)[0], code=c, occurred_on=d) for c, d in events], area)
                for p, area, events in people]
    await scorer.profiles(*profiles[:40])
    await scorer.profiles(*profiles[40:])
    expected_rows = brute_force(people, start, 1, mixed=False)
    await eventually(lambda: _count(scorer, expected_rows))

    response = await scorer.client.get(f"/v1/rules/{RULE}/calibration",
                                       headers=scorer.headers("coordinator"))
    assert response.status_code == 200
    body = response.json()
    assert (body["rule_id"], body["version"], body["unit"]) == (RULE, 1, "persons")
    assert [t["min_indicators"] for t in body["thresholds"]] == list(range(1, 11))
    # every count with the set of people it counts, worked out from the people themselves
    counts: list[tuple[int | None, set[str]]] = []
    for t in body["thresholds"]:
        n = t["min_indicators"]
        counts.append((t["count"], members(people, start, n, mixed=True)))
        counts.append((t["count_without_categories"], members(people, start, n, mixed=False)))
        counts += [(a["count"], members(people, start, n, True, a["area"])) for a in t["areas"]]
    for t in body["headline_thresholds"]:
        counts.append((t["count"], members(people, start, 5, True, headlines=t["min_headlines"])))
    current = body["current"]
    counts.append((current["count"], members(people, start, 5, mixed=True)))
    counts += [(a["count"], members(people, start, 5, True, a["area"]))
               for a in current["areas"]]
    assert {a["area"] for a in current["areas"]} <= set(AREAS)
    for shown, who in counts:
        assert shown is None or shown == len(who)
        assert shown is not None or len(who) > 0  # zeros are shown
        if 1 <= len(who) < 10:
            assert shown is None
    hidden = [shown is None for shown, _ in counts]
    assert body["disclosure"]["hidden"] == sum(hidden) > 0
    assert body["disclosure"]["counts"] == len(counts)
    # the attacker, knowing what every count counts, pins down nothing hidden
    everyone = {who: 1 for who, _, _ in people}
    assert attack([who for _, who in counts], everyone, hidden, 10) == []
    assert current["min_indicators"] == 5
    assert current["count"] == brute_force(people, start, 5, mixed=True) > 0
    active = [e for e in await scorer.evaluations() if e.active]
    assert len(active) == current["count"]
    assert "pseudonym" not in response.text and people[0][0] not in response.text
    await eventually(lambda: _flags_active(scorer, current["count"]))


async def _count(scorer, n):
    # rows with no indicator in the window are kept only to remember a future change
    return len([e for e in await scorer.evaluations() if e.indicators > 0]) == n


async def _flags_active(scorer, expected: int) -> bool:
    """Whether the flags read so far leave exactly `expected` persons flagged."""
    await scorer.collect()
    latest = {}
    for f in scorer.flags:
        latest[f.pseudonym] = f
    return sum(f.active for f in latest.values()) == expected


async def test_put_changes_thresholds_and_reflags(scorer):
    url = f"/v1/rules/{RULE}"
    document = {"id": RULE, "title": "Oldham, 3+", "level": "person", "window": "P6M",
                "purposes": ["early-help-triage"],
                "conditions": {"min_indicators": 3, "min_health": 1, "min_non_health": 1},
                "weights": {"indicator": 1.0, "health": 0.5}}
    analyst = await scorer.client.put(url, json=document, headers=scorer.headers("analyst"))
    assert analyst.status_code == 403
    bad = await scorer.client.put(url, json={**document, "version": 9},
                                  headers=scorer.headers("admin"))
    assert bad.status_code == 422
    wrong_id = await scorer.client.put(url, json={**document, "id": "other"},
                                       headers=scorer.headers("admin"))
    assert wrong_id.status_code == 422
    bad_window = await scorer.client.put(url, json={**document, "window": "six months"},
                                         headers=scorer.headers("admin"))
    assert bad_window.status_code == 422

    before = {e.pseudonym for e in await scorer.evaluations() if e.active}
    three = {e.pseudonym for e in await scorer.evaluations()
             if e.indicators >= 3 and e.health >= 1 and e.non_health >= 1}
    assert three > before
    response = await scorer.client.put(url, json=document, headers=scorer.headers("admin"))
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert {e.pseudonym for e in await scorer.evaluations() if e.active} == three
    await eventually(lambda: _flags_active(scorer, len(three)))
    raised = [f for f in scorer.flags if f.pseudonym in three - before]
    assert raised and all(f.rule_version == 2 and f.active for f in raised)
    kept = [f for f in scorer.flags if f.pseudonym in before and f.rule_version == 2]
    assert all(f.score == f.indicators + 0.5 * f.health for f in kept) and kept

    calibration = (await scorer.client.get(f"{url}/calibration",
                                           headers=scorer.headers("analyst"))).json()
    assert (calibration["version"], calibration["current"]["count"]) == (2, len(three))

    document["conditions"]["min_indicators"] = 5
    response = await scorer.client.put(url, json=document, headers=scorer.headers("admin"))
    assert response.json()["version"] == 3
    await eventually(lambda: _flags_active(scorer, len(before)))
    listed = (await scorer.client.get("/v1/rules", headers=scorer.headers("admin"))).json()
    assert [r["version"] for r in listed if r["id"] == RULE] == [3]
