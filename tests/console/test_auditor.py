"""The auditor's path through the console, in a real browser: reidentify's access log a
page at a time (a caseworker's unlocks and refusals, as the log holds them: who, which
pseudonym, which purpose, never the identity released), its verification, and the signed
heads the gateway keeps; and nothing of other roles' pages (no review pair, no cohort).
A DPO is not offered these pages: their APIs serve auditors alone."""

from __future__ import annotations

import httpx
import pytest_asyncio

from tests.console.conftest import accessible, ready, shot
from tests.console.test_coordinator import RULE, identities_of, rows
from tests.support import eventually

PAGE = 20  # entries to a page of the access log (static/audit/access-log.js)
PURPOSE = "early-help-triage"
WHY = "Triage meeting: checking who the family's lead professional should be."


def log(console) -> list[dict]:
    return console.get("reidentify", "/v1/access-log?limit=500", "auditor").json()


def heads(console) -> list[dict]:
    return console.get("gateway", "/v1/audit/heads?limit=500", "auditor").json()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def unlocks(console) -> dict:
    """A caseworker's two unlocks, and more than a page of attempts refused for a purpose
    their sign-in does not hold, in the access log; until the gateway holds the head that
    signs the newest entry. The identities the unlocks released, to look for."""
    token = console.token("reidentify", "caseworker")
    headers = {"Authorization": f"Bearer {token}"}
    base = console.fed.url("reidentify")
    released: list[str] = []
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        cohort = (await client.get(f"/v1/cohorts/{RULE}", params={"limit": 2})).json()
        assert len(cohort) == 2, cohort
        for member in cohort:
            reply = await client.post("/v1/unlock", json={
                "pseudonym": member["pseudonym"], "purpose": PURPOSE, "justification": WHY})
            assert reply.status_code == 200, reply.text
            released += [f"{s['given_name']} {s['family_name']}"
                         for s in reply.json()["subjects"]]
        for _ in range(PAGE):
            reply = await client.post("/v1/unlock", json={
                "pseudonym": cohort[0]["pseudonym"], "purpose": "marketing",
                "justification": WHY})
            assert reply.status_code == 403, reply.text
    newest = log(console)[-1]["seq"]
    await eventually(lambda: any(h["seq"] >= newest for h in heads(console)), timeout=60,
                     interval=1)
    assert released
    return {"pseudonyms": [m["pseudonym"] for m in cohort], "released": released,
            "newest": newest}


async def test_the_access_log_page_by_page_as_reidentify_holds_it(sign_in, console, unlocks):
    entries = log(console)
    assert len(entries) > PAGE
    page = await sign_in("auditor")
    nav = page.locator("#navigation")
    assert [t.strip() for t in await nav.locator("li:visible").all_inner_texts()] == [
        "Access log", "Log verification", "Signed heads", "Sign out"]
    await nav.get_by_role("link", name="Access log").click()
    await ready(page)
    assert key_columns(await rows(page, "#log-table")) == expected(entries[:PAGE])
    assert (f"shows entries {entries[0]['seq']} to {entries[PAGE - 1]['seq']}"
            in await page.inner_text("#log-paging"))
    pages = page.get_by_role("navigation", name="Pages of the access log")
    assert not await pages.get_by_role("link", name="Previous page").is_visible()
    assert await page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    await accessible(page)
    await shot(page, "audit-access-log")

    # the last page holds the caseworker's refusals: who, the pseudonym, the purpose asked
    while await pages.get_by_role("link", name="Next page").is_visible():
        await pages.get_by_role("link", name="Next page").click()
        await ready(page)
    number = int(page.url.rsplit("page=", 1)[1])
    table = await rows(page, "#log-table")
    assert key_columns(table) == expected(entries[(number - 1) * PAGE:number * PAGE])
    refused = [r for r in table if r[6].startswith("refused")]
    assert refused and all(r[6] == "refused\npurpose" for r in refused)
    assert all(r[4] == unlocks["pseudonyms"][0] and r[5] == f"marketing\n{WHY}"
               for r in refused)
    await accessible(page)
    await pages.get_by_role("link", name="Previous page").click()
    await ready(page)
    before = entries[(number - 2) * PAGE]["seq"]
    assert f"shows entries {before} to " in await page.inner_text("#log-paging")

    # the identities the unlocks released are in no page of the auditor's
    identities = unlocks["released"] + identities_of(console.borough)
    for path in ("/audit/access-log", "/audit/verification", "/audit/heads"):
        await page.goto(console.url + path)
        await ready(page)
        text = await page.evaluate("document.documentElement.outerHTML + document.body.innerText")
        assert not [i for i in identities if i in text], path


def key_columns(table: list[list[str]]) -> list[list[str]]:
    """Entry, who, pseudonym, purpose and outcome of each row (when: the browser's clock)."""
    return [[r[0], r[2].split("\n")[0], r[4], r[5].split("\n")[0], r[6].split("\n")[0]]
            for r in table]


def expected(entries: list[dict]) -> list[list[str]]:
    return [[str(e["seq"]), e["sub"], e["pseudonym"] or "None", e["purpose"] or "None",
             e["outcome"]] for e in entries]


async def test_the_verification_says_what_reidentify_found(sign_in, console, unlocks):
    result = console.get("reidentify", "/v1/access-log/verify", "auditor").json()
    assert result["valid"], result
    page = await sign_in("auditor")
    await page.goto(console.url + "/audit/verification")
    await ready(page)
    summary = await summary_of(page)
    assert summary["Result"] == "Valid" and summary["Chain"] == "Intact"
    assert summary["Signed heads"] == "Verified"
    assert summary["Entries in the log"] == f"{result['entries']:,}"
    assert summary["Newest entry's hash"] == result["head"]
    assert summary["Heads in reidentify's export"] == f"{result['copies']['file']:,}"
    assert summary["Heads in the gateway's copy"] == f"{result['copies']['gateway']:,}"
    assert int(summary["Newest signed entry"]) >= unlocks["newest"]
    assert summary["Releases the log does not account for"] == "0"
    assert summary["Checked"]
    assert not await page.locator("#invalid").is_visible()
    await accessible(page)
    await shot(page, "audit-verification")

    await page.get_by_role("button", name="Verify again").click()
    banner = page.locator("#verified")
    await banner.wait_for(state="visible")
    assert "the log is valid" in await banner.inner_text()
    assert await banner.evaluate("e => e === document.activeElement")
    await accessible(page)


async def summary_of(page) -> dict[str, str]:
    return dict(await page.eval_on_selector_all(
        "#verification .govuk-summary-list__row",
        "rows => rows.map(r => [r.querySelector('dt').innerText.trim(),"
        " r.querySelector('dd').innerText.trim()])"))


async def test_the_signed_heads_are_the_gateways(sign_in, console, unlocks):
    kept = heads(console)
    assert kept and kept[-1]["seq"] >= unlocks["newest"]
    page = await sign_in("auditor")
    await page.goto(console.url + "/audit/heads")
    await ready(page)
    shown = await rows(page, "#heads-table")
    assert [[r[0], r[2], r[3], r[4]] for r in shown] == [
        [str(h["seq"]), h["kid"] or "Not named", h["hash"], h["sig"]] for h in kept[:50]]
    pages = page.get_by_role("navigation", name="Pages of signed heads")
    assert await pages.get_by_role("link", name="Next page").is_visible() == (len(kept) > 50)
    # hashes and signatures wrap within their columns: nothing runs off the screen
    assert await page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    await accessible(page)
    await shot(page, "audit-heads")


async def test_an_auditor_sees_no_review_pair_and_no_cohort(sign_in, console):
    page = await sign_in("auditor")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    for path in ("/linkage/review", "/caseworker/cohort", "/coordinator/calibration"):
        await page.goto(console.url + path)
        await ready(page, "refused")
        assert not await page.locator("#page").is_visible(), path
    services = [console.fed.url(s) for s in ("pseudonymiser", "reidentify", "scorer")]
    assert not [u for u in asked if u.startswith(tuple(services))]


async def test_a_dpo_is_not_offered_the_auditors_pages(sign_in, console):
    page = await sign_in("dpo")
    nav = page.locator("#navigation")
    assert not await nav.get_by_role("link", name="Access log").is_visible()
    await page.goto(console.url + "/audit/access-log")
    await ready(page, "refused")
    # as reidentify decides: the access log is the auditor's alone
    assert console.get("reidentify", "/v1/access-log", "dpo").status_code == 403
