"""GET /v1/cohorts/{rule_id}: active flags in the caller's districts, ranked, no identities."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.reidentify.conftest import flag

RULE = "cohort-rule"


async def test_cohort_filtered_by_district_and_ranked(env):
    t0 = datetime.now(UTC) - timedelta(minutes=5)
    await env.publish_flags(
        flag("p-a", rule_id=RULE, area="OL1", score=5, indicators=5, raised_at=t0),
        flag("p-b", rule_id=RULE, area="OL1", score=5, indicators=6, raised_at=t0),
        flag("p-c", rule_id=RULE, area="OL2", score=7, indicators=5, raised_at=t0),
        flag("p-d", rule_id=RULE, area="OL9", score=9, indicators=9, raised_at=t0),
        flag("p-e", rule_id=RULE, area="OL1", score=8, active=False, raised_at=t0),
        flag("p-f", rule_id="other-rule", area="OL1", score=9, raised_at=t0),
    )
    headers = env.clearance("cw-cohort", districts=["OL1", "OL2"])
    r = await env.client.get(f"/v1/cohorts/{RULE}", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [row["pseudonym"] for row in body] == ["p-c", "p-b", "p-a"]
    assert set(body[0]) == {"pseudonym", "level", "score", "indicators", "health",
                            "non_health", "area", "raised_at"}

    r = await env.client.get(f"/v1/cohorts/{RULE}", params={"limit": 1, "offset": 1},
                             headers=headers)
    assert [row["pseudonym"] for row in r.json()] == ["p-b"]

    only_ol2 = env.clearance("co-cohort", roles=["coordinator"], districts=["OL2"])
    r = await env.client.get(f"/v1/cohorts/{RULE}", headers=only_ol2)
    assert [row["pseudonym"] for row in r.json()] == ["p-c"]


async def test_latest_flag_state_wins(env):
    t0 = datetime.now(UTC) - timedelta(minutes=5)
    await env.publish_flags(flag("p-g", rule_id=RULE, area="OL1", score=1, raised_at=t0))
    # a clearing (later) removes it; a stale message (earlier) does not bring it back
    await env.publish_flags(flag("p-g", rule_id=RULE, area="OL1", score=1, active=False,
                                 raised_at=t0 + timedelta(minutes=1)))
    await env.publish_flags(flag("p-h", rule_id=RULE, area="OL1", score=1,
                                 raised_at=t0 + timedelta(minutes=2)))
    stale = flag("p-g", rule_id=RULE, area="OL1", score=1, raised_at=t0 - timedelta(days=1))
    await env.publish_flags(stale, flag("p-h", rule_id=RULE, area="OL1", score=1.5,
                                        raised_at=t0 + timedelta(minutes=3)))
    r = await env.client.get(f"/v1/cohorts/{RULE}", headers=env.clearance("cw-2"))
    rows = {row["pseudonym"]: row for row in r.json()}
    assert "p-g" not in rows
    assert rows["p-h"]["score"] == 1.5


async def test_cohort_roles_and_limits(env):
    r = await env.client.get(f"/v1/cohorts/{RULE}",
                             headers=env.clearance("aud", roles=["auditor"]))
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    r = await env.client.get(f"/v1/cohorts/{RULE}", params={"limit": 501},
                             headers=env.clearance("cw-3"))
    assert r.status_code == 422
    r = await env.client.get(f"/v1/cohorts/{RULE}", headers=env.clearance("cw-4", districts=[]))
    assert r.json() == []
    r = await env.client.get(f"/v1/cohorts/{RULE}")
    assert r.status_code == 401
