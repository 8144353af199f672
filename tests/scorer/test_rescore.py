"""Household rules, ageing out through the sweep, a rule change that re-flags through a
republish, the full re-score command and the calibration chart."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest_asyncio
import yaml

from services.common import messages as m
from services.common.state import state_of
from services.scorer.rules import window_start
from tests.scorer.conftest import RULE, TODAY, new, person, recent, running_scorer
from tests.support import eventually, sequence

MIXED5 = ("GP1", "SCH1", "HOU1", "CSC1", "POL1")
TF = "troubled-families-phase-two"
CHAOTIC = "oldham-chaotic-living"


class Clock:
    def __init__(self):
        self.today = TODAY

    def __call__(self):
        return self.today


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def clock():
    return Clock()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def scorer(nats_env, tmp_path_factory, clock):
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('scorer') / 'scorer.db'}"
    async with running_scorer(nats_env, url, today=clock) as harness:
        yield harness


def household(pseudonym, events, area="OL4"):
    return m.Profile(pseudonym=pseudonym, level="household", area=area, events=events,
                     sequence=sequence())


async def test_household_rules_flag_the_household(scorer):
    two, one = new("H"), new("H")
    # members' and property events arrive together in the household profile
    await scorer.profiles(household(two, recent("SCH1", "POL2", "GP4")),
                          household(one, recent("SCH1", "SCH2", "SCH3")))
    tf = await scorer.wait_flag(two, lambda f: f.rule_id == TF)
    assert (tf.active, tf.level, tf.headlines, tf.indicators) == (True, "household", 3, 3)
    assert tf.score == 3 + 0.3
    chaotic = await scorer.evaluation(two, CHAOTIC)
    assert (chaotic.indicators, chaotic.active) == (3, True)  # GP4, POL2, SCH1
    assert (await scorer.evaluation(one, TF)).active is False
    assert await scorer.evaluation(two, RULE) is None  # a person rule ignores households


async def test_a_property_level_event_tips_the_household(scorer):
    """Members alone show one headline problem; the police call-out recorded against the
    property (which the linker adds to the household profile) makes it two."""
    members_only, with_property = new("H"), new("H")
    members = recent("SCH1", "SCH2")  # school attendance only
    await scorer.profiles(household(members_only, members),
                          household(with_property, members + recent("POL1")))
    flag = await scorer.wait_flag(with_property, lambda f: f.rule_id == TF)
    assert (flag.active, flag.headlines) == (True, 2)
    await eventually(lambda: scorer.evaluation(members_only, TF))
    evaluation = await scorer.evaluation(members_only, TF)
    assert (evaluation.headlines, evaluation.active) == (1, False)
    assert [f for f in await scorer.seen(members_only) if f.rule_id == TF] == []


async def test_events_ageing_out_clear_through_the_sweep(scorer, clock):
    p = new()
    start = window_start(TODAY, "P6M")
    events = recent(*MIXED5[:4]) + recent("POL1", on=start + timedelta(days=1))
    await scorer.profiles(person(p, events))
    await scorer.wait_flag(p, lambda f: f.active and f.indicators == 5)
    assert (await scorer.evaluation(p)).next_change == TODAY + timedelta(days=1)
    await scorer.republish_requests()
    assert await state_of(scorer.app).sweep() == 0  # nothing changes today
    clock.today = TODAY + timedelta(days=1)
    try:
        assert await state_of(scorer.app).sweep() >= 1
        requests = await eventually(scorer.republish_requests)
        refs = [r for q in requests for r in q.profiles]
        assert m.ProfileRef(pseudonym=p, level="person") in refs
        assert await state_of(scorer.app).sweep() == 0  # asked once
        # the linker answers with the same events: the oldest has left the window
        await scorer.profiles(person(p, events))
        cleared = await scorer.wait_flag(p, lambda f: not f.active)
        assert cleared.indicators == 4
    finally:
        clock.today = TODAY


async def test_rule_change_rescores_and_reflags(scorer):
    old, young = new(), new()
    profiles = [person(old, recent(*MIXED5, on=TODAY - timedelta(days=120))),
                person(young, recent(*MIXED5))]
    await scorer.profiles(*profiles)
    for p in (old, young):
        await scorer.wait_flag(p, lambda f: f.active and f.rule_id == RULE)
    await scorer.republish_requests()
    document = yaml.safe_dump({
        "id": RULE, "title": "Oldham, 3 months", "level": "person", "window": "P3M",
        "purposes": ["early-help-triage"],
        "conditions": {"min_indicators": 5, "min_health": 1, "min_non_health": 1}})
    response = await scorer.client.put(f"/v1/rules/{RULE}", content=document, headers={
        **scorer.headers("admin"), "Content-Type": "application/yaml"})
    assert response.status_code == 200, response.text
    assert response.headers["X-Tessera-Rescore"] == "person"
    requests = await eventually(scorer.republish_requests)
    assert any(r.all and r.levels == ["person"] for r in requests)
    await scorer.profiles(*profiles)  # the linker republishes
    cleared = await scorer.wait_flag(old, lambda f: not f.active)
    assert cleared.rule_version == 2 and await scorer.evaluation(old) is None
    assert (await scorer.evaluation(young)).active is True

    bad = await scorer.client.put(f"/v1/rules/{RULE}", content="id: [", headers={
        **scorer.headers("admin"), "Content-Type": "application/yaml"})
    assert bad.status_code == 400
    schema = await scorer.client.get("/v1/rules/schema", headers=scorer.headers("analyst"))
    assert "conditions" in schema.json()["properties"]


async def test_full_rescore_command(scorer):
    await scorer.republish_requests()
    denied = await scorer.client.post("/v1/rescore", headers=scorer.headers("analyst"))
    assert denied.status_code == 403
    response = await scorer.client.post("/v1/rescore", headers=scorer.headers("admin"))
    assert response.status_code == 202
    requests = await eventually(scorer.republish_requests)
    assert [r.request_id for r in requests if r.all] == [response.json()["request_id"]]


async def test_calibration_chart(scorer):
    response = await scorer.client.get(f"/v1/rules/{TF}/calibration.svg",
                                       headers=scorer.headers("coordinator"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "2+ indicators" in texts and "OL4" in texts
    body = (await scorer.client.get(f"/v1/rules/{TF}/calibration",
                                    headers=scorer.headers("coordinator"))).json()
    # a handful of households: too few to show, and the chart says so rather than drawing 0
    assert body["unit"] == "households" and body["current"]["count"] is None
    assert body["disclosure"]["hidden"] >= 1
    assert texts.count("hidden") >= 1 and "(total hidden)" in " ".join(t or "" for t in texts)
    assert "H-" not in response.text
    png = await scorer.client.get(f"/v1/rules/{TF}/calibration.png",
                                  headers=scorer.headers("coordinator"))
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png.content[16:24])  # the IHDR chunk
    assert (width, height) == (int(root.get("width")), int(root.get("height")))
    assert (await scorer.client.get(f"/v1/rules/{TF}/calibration.gif",
                                    headers=scorer.headers("coordinator"))).status_code == 422
