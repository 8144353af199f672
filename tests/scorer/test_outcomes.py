"""Cohort outcomes against the generator's truth: households flagged under troubled
families phase two join its cohort, are measured at every month end, and the measures
they meet (and when) are those the synthetic trajectories say; claims counts go out under
the disclosure rule; the journey is moved by its owners and only the allocated keyworker
reads a family's codes."""

from __future__ import annotations

import csv
import io
from datetime import date
from functools import cache

import pytest_asyncio
import yaml
from sqlalchemy import select

from services.common.state import state_of
from services.scorer.models import CohortMember, OutcomeMet
from synthetic import generate_borough
from synthetic.truth import first_met, household_events, households_flagged
from tests.scorer.conftest import REPO, dataset_of, running_scorer
from tests.support import eventually, sequence

RULE = "troubled-families-phase-two"
AS_OF = date(2025, 6, 15)  # the scorer's day: households are identified on it
THROUGH = "2026-09"  # long ended, so the test never waits for a month to end
THROUGH_END = date(2026, 9, 30)


datasets = cache(dataset_of)


@cache
def headline_of() -> dict[str, str]:
    registry = yaml.safe_load((REPO / "deploy" / "config" / "registry.yaml").read_text())
    return {code: c["headline"] for ds in registry["datasets"]
            for code, c in ds["codes"].items()}


def profile(truth, hid: str, up_to: date | None = None) -> dict:
    events = [e for e in household_events(truth, hid)
              if up_to is None or e.occurred_on <= up_to]
    dataset = datasets()
    return {"pseudonym": hid, "level": "household", "sequence": sequence(), "area": "OL1",
            "agreements": ["isa-oldham-early-help-2026"],
            "events": [{"dataset": dataset[e.code], "code": e.code,
                        "occurred_on": e.occurred_on} for e in events]}


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def borough():
    return generate_borough(seed=5, households=260, as_of=AS_OF, follow_up_months=16)


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def scorer(nats_env, tmp_path_factory, borough):
    """A scorer whose day stays at as_of (flags as of that day) fed the borough's
    households as the linker would: first what partners had sent by as_of, then
    everything since; then measured through THROUGH."""
    from services.common import messages as m

    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('outcomes') / 'scorer.db'}"
    async with running_scorer(nats_env, url, today=lambda: AS_OF,
                              suppression_threshold=2) as harness:
        truth = borough.truth
        homes = sorted(truth.household_members())
        consumer = state_of(harness.app).consumers["profiles"]
        sent = 0
        for up_to in (AS_OF, None):
            for i in range(0, len(homes), 100):
                await harness.profiles(*(m.Profile.model_validate(profile(truth, h, up_to))
                                         for h in homes[i:i + 100]))
                sent += 1
            await eventually(lambda n=sent: consumer.applied >= n, timeout=60)
        answer = await harness.client.post("/v1/outcomes/measure", json={"through": THROUGH},
                                           headers=harness.headers("admin"))
        assert answer.status_code == 200, answer.text
        harness.measured = answer.json()
        yield harness


def expected(borough) -> dict[str, dict[str, date | None]]:
    """Household -> measure -> the month end the truth says it first held (or None)."""
    rule = yaml.safe_load((REPO / "services" / "scorer" / "rules" / f"{RULE}.yaml").read_text())
    truth = borough.truth
    out = {}
    for hid in households_flagged(truth, headline_of()):
        events = household_events(truth, hid)
        out[hid] = {
            x["id"]: first_met(events, set(x["none"]), set(x.get("had") or x["none"]),
                               int(x["sustained_for"][1:-1]), AS_OF, THROUGH_END)
            for x in rule["outcomes"]["measures"]}
    return out


async def test_cohort_is_the_flagged_households(scorer, borough):
    truth = expected(borough)
    assert len(truth) >= 30  # enough households for the counts below to mean something
    async with state_of(scorer.app).sessionmaker() as s:
        members = list((await s.execute(select(CohortMember).where(
            CohortMember.rule_id == RULE))).scalars())
    assert {x.pseudonym for x in members} == set(truth)
    assert {x.identified_on for x in members} == {AS_OF}
    assert {x.measured_through for x in members} == {THROUGH}
    assert scorer.measured == {"through": THROUGH, "members": len(truth)}
    # the baseline: the rule's counts over the 12 months before identification
    one = next(x for x in members if x.pseudonym == sorted(truth)[0])
    codes = {e.code for e in household_events(borough.truth, one.pseudonym)
             if e.occurred_on <= AS_OF and e.occurred_on > date(2024, 6, 15)}
    assert one.baseline["P12M"]["indicators"] == len(codes)
    assert set(one.headlines.split()) == {headline_of()[c] for c in codes}


async def test_measures_met_match_the_trajectories(scorer, borough):
    truth = expected(borough)
    async with state_of(scorer.app).sessionmaker() as s:
        met = list((await s.execute(select(OutcomeMet).where(
            OutcomeMet.rule_id == RULE))).scalars())
    got = {(r.pseudonym, r.measure): r.month for r in met}
    want = {(hid, measure): f"{end.year:04d}-{end.month:02d}"
            for hid, per in truth.items() for measure, end in per.items() if end}
    assert got == want
    # the trajectories drive it: households that improved meet what they are measured
    # on far more often than those whose problems went on
    kinds = borough.truth.trajectories
    rate = {}
    for kind in ("improves", "persists"):
        pairs = [(h, x) for h, per in truth.items() if kinds.get(h) == kind
                 for x in per if (h, x) in want or per[x] is None]
        rate[kind] = sum((h, x) in want for h, x in pairs) / max(1, len(pairs))
    assert rate["improves"] > rate["persists"]


async def test_claims_counts_against_truth(scorer, borough):
    truth = expected(borough)
    answer = await scorer.client.get(f"/v1/outcomes/{RULE}/claims",
                                     headers=scorer.headers("analyst"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["disclosure"]["threshold"] == 2
    assert body["measured_through"] == THROUGH
    rows = {(r["cohort_month"], r["headline"], r["measure"]): r for r in body["rows"]}
    month = "2025-06"
    assert {r["cohort_month"] for r in body["rows"]} == {month}
    assert rows[(month, None, None)]["families"] == len(truth)
    hidden = 0
    for measure in ("no-police-callouts", "school-attendance", "housing-stability"):
        row = rows[(month, None, measure)]
        met = sum(1 for per in truth.values() if per[measure])
        for name, value in (("met", met), ("claimed", 0)):
            if row[name] is None:
                hidden += 1
            else:
                assert row[name] == value, (measure, name)
        assert row["met"] is not None
    # per headline problem: the households that had it when identified
    for (_, headline, measure), row in rows.items():
        if headline is None or measure is not None:
            continue
        have = {h for h in truth if headline in {
            headline_of()[e.code] for e in household_events(borough.truth, h)
            if date(2024, 6, 15) < e.occurred_on <= AS_OF}}
        assert row["families"] in (len(have), None)
    assert body["disclosure"]["hidden"] >= hidden
    text = (await scorer.client.get(f"/v1/outcomes/{RULE}/claims.csv",
                                    headers=scorer.headers("coordinator"))).text
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == len(body["rows"])
    assert table[0]["headline"] == "all" and table[0]["families"] == str(len(truth))


async def test_counts_are_never_identities_and_need_a_role(scorer):
    answer = await scorer.client.get(f"/v1/outcomes/{RULE}/claims",
                                     headers=scorer.headers("caseworker"))
    assert answer.status_code == 403
    body = (await scorer.client.get(f"/v1/outcomes/{RULE}/claims",
                                    headers=scorer.headers("admin"))).text
    assert "H0" not in body  # no household pseudonym appears in a claims release
    missing = await scorer.client.get("/v1/outcomes/oldham-gp-pilot/claims",
                                      headers=scorer.headers("admin"))
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


async def test_measure_refuses_a_month_not_ended(scorer):
    today = date.today()
    for through, field in ((f"{today.year:04d}-{today.month:02d}", "through"),
                           ("2026-13", "through")):
        answer = await scorer.client.post("/v1/outcomes/measure", json={"through": through},
                                          headers=scorer.headers("admin"))
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert field in answer.text
    again = await scorer.client.post("/v1/outcomes/measure", json={"through": THROUGH},
                                     headers=scorer.headers("admin"))
    assert again.json()["members"] == 0  # measured already: nothing measured twice
    refused = await scorer.client.post("/v1/outcomes/measure", json={},
                                       headers=scorer.headers("coordinator"))
    assert refused.status_code == 403


async def test_journey_owners_and_the_keyworkers_history(scorer, borough):
    truth = expected(borough)
    family = next(h for h in sorted(truth) if any(truth[h].values()))
    other = next(h for h in sorted(truth) if h != family)
    url = f"/v1/outcomes/{RULE}/families/{family}"
    coordinator = scorer.headers("coordinator", subject="co-1")
    keyworker = scorer.headers("caseworker", subject="kw-1")
    stranger = scorer.headers("caseworker", subject="kw-2")

    # before allocation nobody reads the codes, and a keyworker cannot attach themself
    assert (await scorer.client.get(f"{url}/history", headers=keyworker)).status_code == 404
    refused = await scorer.client.post(f"{url}/state", headers=keyworker,
                                       json={"state": "attached", "keyworker": "kw-1"})
    assert refused.status_code == 404
    no_worker = await scorer.client.post(f"{url}/state", headers=coordinator,
                                         json={"state": "attached"})
    assert no_worker.status_code == 422
    attached = await scorer.client.post(f"{url}/state", headers=coordinator,
                                        json={"state": "attached", "keyworker": "kw-1"})
    assert attached.status_code == 200, attached.text
    assert attached.json()["keyworker"] == "kw-1"

    history = await scorer.client.get(f"{url}/history", headers=keyworker)
    assert history.status_code == 200, history.text
    seen = {(e["code"], e["occurred_on"]) for e in history.json()["events"]}
    assert seen == {(e.code, e.occurred_on.isoformat())
                    for e in household_events(borough.truth, family)}
    assert {x["measure"] for x in history.json()["met"]} == {
        x for x, end in truth[family].items() if end}
    # nobody else: another keyworker, the co-ordinator, the keyworker for another family
    assert (await scorer.client.get(f"{url}/history", headers=stranger)).status_code == 404
    assert (await scorer.client.get(f"{url}/history",
                                    headers=coordinator)).status_code == 403
    assert (await scorer.client.get(f"/v1/outcomes/{RULE}/families/{other}/history",
                                    headers=keyworker)).status_code == 404
    assert (await scorer.client.get(url, headers=stranger)).status_code == 404
    mine = (await scorer.client.get("/v1/outcomes/mine", headers=keyworker)).json()
    assert [x["pseudonym"] for x in mine] == [family]

    # the keyworker moves the work on; the claim is the co-ordinator's
    for state, who, status in (("in_progress", keyworker, 200),
                               ("claimed", keyworker, 403),
                               ("claim_pending", keyworker, 200),
                               ("closed", keyworker, 403),
                               ("claimed", coordinator, 200),
                               ("claimed", coordinator, 409)):
        answer = await scorer.client.post(f"{url}/state", headers=who, json={"state": state})
        assert answer.status_code == status, (state, answer.text)
    view = (await scorer.client.get(url, headers=coordinator)).json()
    assert [(s["state"], s["by"]) for s in view["steps"]] == [
        ("identified", "tessera-scorer"), ("attached", "co-1"), ("in_progress", "kw-1"),
        ("claim_pending", "kw-1"), ("claimed", "co-1")]
    assert all(x["claimed"] for x in view["met"])

    overview = (await scorer.client.get(f"/v1/outcomes/{RULE}/journey",
                                        headers=coordinator)).json()
    assert overview["families"] == len(truth)
    assert overview["states"]["claimed"] == 1
    assert overview["states"]["identified"] == len(truth) - 1
    claimed = {x["measure"]: x["claimed"] for x in overview["measures"]}
    assert claimed == {x: int(bool(end)) for x, end in truth[family].items()}
    assert [x["claimed"] for x in overview["measures"]] == sorted(claimed.values(), reverse=True)
    # closest to a claim: those that met a measure not yet claimed come first
    closest = overview["closest_to_claim"]
    ready = {h for h, per in truth.items() if any(per.values()) and h != family}
    assert {x["pseudonym"] for x in closest if x["claimable_now"]} <= ready
    assert closest and closest[0]["claimable_now"] == bool(ready)
    scores = [x["score"] for x in overview["most_complex"]]
    assert scores == sorted(scores, reverse=True)
    elsewhere = await scorer.client.get(f"/v1/outcomes/{RULE}/journey",
                                        headers=scorer.headers("coordinator",
                                                               districts=["OL9"]))
    assert elsewhere.json()["families"] == 0


async def test_the_demo_shows_outcomes_beside_the_truth(scorer, borough, tmp_path):
    """deploy/demo_outcomes.py against this scorer: its counts are the truth's, it walks
    one family to a keyworker (the only one who reads its history) and saves the charts."""
    import httpx

    from deploy.demo_outcomes import show_outcomes

    lines: list[str] = []

    def tokens(service: str, *, subject: str, roles: list[str]) -> str:
        return scorer.nats_env.token(service, subject=subject, roles=roles)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=scorer.app),
                                 base_url="http://scorer") as client:
        shown = await show_outcomes(client, "http://scorer", tokens, borough,
                                    out=lines.append, charts=tmp_path / "charts")
    totals = {r["measure"]: r for r in shown["report"]["rows"] if r["headline"] is None}
    assert totals[None]["families"] == shown["truth"]["families"]
    for measure in ("no-police-callouts", "school-attendance", "housing-stability"):
        assert totals[measure]["met"] in (shown["truth"][measure], None)
    assert shown["walked"]["keyworker"] == 200 and shown["walked"]["other"] == 404
    assert shown["journey"]["states"]["attached"] == 1
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == [
        "journey-states.svg", "outcomes-met.svg"]
    text = "\n".join(lines)
    assert "H0" not in text  # no pseudonym printed
    assert "truth" in text and "journey:" in text
