"""GET /v1/unlocks/mine: a caseworker's own unlock attempts, newest first, each with what
became of it, the refusal's reason as the caseworker was told it, and nobody else's."""

from __future__ import annotations

from tests.reidentify.conftest import PURPOSE, Canned, flag
from tests.reidentify.test_unlock import FAMILY, GIVEN, JUSTIFICATION, assert_no_identity, found
from tests.reidentify.test_unlock import body as unlock


async def mine(env, sub: str, **params) -> list[dict]:
    r = await env.client.get("/v1/unlocks/mine", params=params, headers=env.clearance(sub))
    assert r.status_code == 200, r.text
    return r.json()


async def test_own_unlocks_say_what_became_of_each(env):
    await env.publish_flags(flag("p-mine-ok"), flag("p-mine-away", area="OL9"),
                            flag("p-mine-gone"))
    env.replies["p-mine-ok"] = found((GIVEN, FAMILY))
    env.replies["p-mine-away"] = found((GIVEN, FAMILY))
    env.replies["p-mine-gone"] = Canned(found=False)
    sub = "cw-mine"
    answers = []
    for pseudonym in ("p-mine-ok", "p-mine-away", "p-mine-gone"):
        answers.append(await env.client.post("/v1/unlock", json=unlock(pseudonym),
                                             headers=env.clearance(sub)))
    # another caseworker's unlock is not theirs to see
    other = await env.client.post("/v1/unlock", json=unlock("p-mine-ok"),
                                  headers=env.clearance("cw-mine-other"))
    assert [a.status_code for a in answers] == [200, 403, 403] and other.status_code == 200

    got = await mine(env, sub)
    log = await env.log_for(sub)
    assert [g["access_id"] for g in got] == [e["seq"] for e in reversed(log)
                                             if e["ref"] is None]
    assert [(g["pseudonym"], g["purpose"], g["justification"], g["outcome"], g["reason"])
            for g in got] == [
        ("p-mine-gone", PURPOSE, JUSTIFICATION, "refused", "no-active-flag"),
        # told as no flag, as the unlock told it; the access log keeps "district"
        ("p-mine-away", PURPOSE, JUSTIFICATION, "refused", "no-active-flag"),
        ("p-mine-ok", PURPOSE, JUSTIFICATION, "allowed", None)]
    assert [e["reason"] for e in log if e["pseudonym"] == "p-mine-away"] == ["district"]
    # allowed, asked, and nothing found: the follow-up entry is named
    gone = [e for e in log if e["pseudonym"] == "p-mine-gone"]
    assert got[0]["follow_up"] == gone[1]["seq"] and gone[1]["ref"] == gone[0]["seq"]
    assert got[2]["access_id"] == answers[0].json()["access_id"]
    assert got[2]["follow_up"] is None and got[2]["rule_id"] == "oldham-5"
    assert_no_identity(str(got))
    # paged
    assert await mine(env, sub, limit=1, offset=1) == got[1:2]


async def test_own_unlocks_are_a_caseworkers_and_none_for_a_new_one(env):
    assert await mine(env, "cw-mine-new") == []
    for roles in (["coordinator"], ["auditor"]):
        r = await env.client.get("/v1/unlocks/mine", headers=env.clearance("x", roles=roles))
        assert r.status_code == 403
    r = await env.client.get("/v1/unlocks/mine")
    assert r.status_code == 401
