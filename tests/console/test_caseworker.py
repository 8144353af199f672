"""The caseworker's path through the console, in a real browser: the cohort of their own
districts (no one else's), unlocking a flagged person by keyboard with a purpose and a
justification (the identity shown on that page alone, after the unlock, and logged), an
incomplete unlock refused on the page with a GOV.UK error summary and nothing unlocked,
a refusal said in words, and their own unlocks as the access log holds them."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.console.conftest import ROLES, accessible, ready, shot
from tests.console.test_coordinator import identities_of, rows

RULE = "oldham-gp-pilot"
DISTRICTS = ROLES["caseworker"]["districts"]
PURPOSE = ROLES["caseworker"]["purposes"][0]
PAGE = 50  # the cohort page's size
JUSTIFICATION = "Multi-agency referral from the school; early help triage this week"
ENGLAND = ZoneInfo("Europe/London")


def day(iso: str) -> str:
    at = datetime.fromisoformat(iso).astimezone(ENGLAND)
    return f"{at.day} {at:%B %Y}"


def cohort_rows(members: list[dict]) -> list[list[str]]:
    """The cohort table's cells as the page should show these members."""
    return [[m["pseudonym"], m["area"] or "No area", f"{m['score']:.1f}", str(m["indicators"]),
             day(m["raised_at"]), f"Unlock {m['pseudonym']}"] for m in members]


async def cohort_shown(page) -> list[list[str]]:
    """The cohort table's cells, each on one line (a visually hidden part of a link's name
    is a line of its own in innerText)."""
    return [[" ".join(c.split()) for c in row] for row in await rows(page, "#cohort-table")]


async def signed_in_sub(page) -> str:
    return await page.evaluate(
        "async () => (await (await import('/static/console.js')).session).claims.sub")


def access_log(console) -> list[dict]:
    return console.get("reidentify", "/v1/access-log?limit=500", "auditor").json()


def elsewhere(console) -> list[dict]:
    """Flagged people a co-ordinator of every district sees, outside the caseworker's."""
    everyone = console.get("reidentify", f"/v1/cohorts/{RULE}?limit=500", "coordinator").json()
    return [m for m in everyone if m["area"] not in DISTRICTS]


async def test_a_caseworker_sees_their_districts_cohort_and_no_one_elses(sign_in, console):
    page = await sign_in("caseworker")
    nav = page.locator("#navigation")
    for offered in ("Cohort", "Unlock", "Your unlocks"):
        assert await nav.get_by_role("link", name=offered, exact=True).is_visible()
    for other in ("Calibration", "Area demand", "Batches"):
        assert not await nav.get_by_role("link", name=other).is_visible()
    await accessible(page)
    await shot(page, "start-caseworker")
    await nav.get_by_role("link", name="Cohort").click()
    await ready(page)

    cohort = console.get("reidentify", f"/v1/cohorts/{RULE}?limit=500", "caseworker").json()
    assert cohort and {m["area"] for m in cohort} <= set(DISTRICTS)
    assert await cohort_shown(page) == cohort_rows(cohort[:PAGE])
    assert await page.inner_text("#districts") == ", ".join(DISTRICTS)
    # the people flagged in other districts are not on the page at all
    others = elsewhere(console)
    assert others
    html = await page.content()
    assert not [m["pseudonym"] for m in others if m["pseudonym"] in html]
    await accessible(page)
    await shot(page, "caseworker-cohort")

    # pages: a next one only when there are more; the previous one from a later page
    assert await page.locator("#next").is_visible() == (len(cohort) > PAGE)
    assert not await page.locator("#previous").is_visible()
    pages = -(-len(cohort) // PAGE)
    await page.goto(console.url + f"/caseworker/cohort?rule={RULE}&page={pages + 1}")
    await ready(page)
    assert await page.inner_text("#cohort-empty") == (
        f"There is no page {pages + 1} of those flagged under {RULE}.")
    await page.get_by_role("link", name="Previous page").click()
    await ready(page)
    assert await cohort_shown(page) == cohort_rows(cohort[(pages - 1) * PAGE:pages * PAGE])

    # another rule, by the form: its own cohort
    await page.fill("#rule", "oldham-chaotic-living")
    await page.get_by_role("button", name="Show the cohort").click()
    await page.wait_for_url(lambda url: url.endswith("/cohort?rule=oldham-chaotic-living"))
    await ready(page)
    chaotic = console.get("reidentify", "/v1/cohorts/oldham-chaotic-living?limit=50",
                          "caseworker").json()
    if chaotic:
        assert await cohort_shown(page) == cohort_rows(chaotic)
    else:
        assert await page.locator("#cohort-empty").is_visible()

    # a partner's page is not a caseworker's: refused, and nothing asked of the gateway
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    await page.goto(console.url + "/partner/batches")
    await ready(page, "refused")
    assert "needs the scope ingest" in await page.inner_text("#page-refused")
    assert not [u for u in asked if u.startswith(console.fed.url("gateway"))]


async def test_a_caseworker_unlocks_by_keyboard_and_sees_it_in_their_unlocks(sign_in, console):
    page = await sign_in("caseworker")
    # another district's person first: refused, and said as no flag at all (the page is no
    # oracle of who is flagged elsewhere); the access log knows why
    other = elsewhere(console)[0]["pseudonym"]
    await page.goto(console.url + f"/caseworker/unlock?pseudonym={other}")
    await ready(page)
    page.watch.expect("status of 403")  # the browser logs the refused call
    await page.get_by_label(PURPOSE).check()
    await page.fill("#justification", JUSTIFICATION)
    await page.get_by_role("button", name="Unlock").click()
    refused = page.locator("#refused")
    await refused.wait_for(state="visible")
    text = await refused.inner_text()
    assert "No rule flags this person in your districts for this purpose." in text
    refused_id = int(re.search(r"entry (\d+) in the access log", text).group(1))
    entry = next(e for e in access_log(console) if e["seq"] == refused_id)
    assert (entry["pseudonym"], entry["outcome"], entry["reason"]) == (
        other, "refused", "district")
    assert not await page.locator("#identity").is_visible()
    assert await page.locator("#unlock").is_visible()
    await accessible(page)

    # then one of their own cohort, from its link
    await page.goto(console.url + f"/caseworker/cohort?rule={RULE}")
    await ready(page)
    pseudonym = (await rows(page, "#cohort-table"))[0][0]
    await page.get_by_role("link", name=f"Unlock {pseudonym}").click()
    await ready(page)
    assert await page.input_value("#pseudonym") == pseudonym
    identities = identities_of(console.borough)
    assert not await page.locator("#identity").is_visible()

    # the form by keyboard alone: the purpose, the justification, the button
    await page.focus("#pseudonym")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.name") == "purpose"
    await page.keyboard.press("Space")
    assert await page.get_by_label(PURPOSE).is_checked()
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "justification"
    await page.keyboard.type(JUSTIFICATION)
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    banner = page.locator("#released")
    await banner.wait_for(state="visible")
    assert await page.evaluate("document.activeElement.id") == "released"

    # the access log holds the unlock the banner names, as the page sent it
    access_id = int(re.search(r"entry (\d+) in the access log",
                              await banner.inner_text()).group(1))
    sub = await signed_in_sub(page)
    entry = next(e for e in access_log(console) if e["seq"] == access_id)
    assert (entry["sub"], entry["pseudonym"], entry["purpose"], entry["justification"],
            entry["outcome"]) == (sub, pseudonym, PURPOSE, JUSTIFICATION, "allowed")
    # the identity released is one the partners sent, shown on this page
    cards = await page.locator("#identity-cards .govuk-summary-card").all()
    assert cards
    for card in cards:
        values = dict(zip(await card.locator("dt").all_inner_texts(),
                          await card.locator("dd").all_inner_texts(), strict=True))
        assert f"{values['Given name']} {values['Family name']}" in identities
    assert not await page.locator("#unlock").is_visible()
    await accessible(page)
    await shot(page, "caseworker-unlock")

    # their unlocks, newest first, as reidentify answers them, without the identity
    await page.get_by_role("link", name="See your unlocks").click()
    await ready(page)
    mine = [e for e in access_log(console) if e["sub"] == sub and e["ref"] is None]
    assert [e["seq"] for e in mine] == [refused_id, access_id]
    table = await rows(page, "#unlocks-table")
    assert [r[1:4] + r[5:] for r in table] == [
        [e["pseudonym"], e["purpose"], e["justification"], str(e["seq"])]
        for e in reversed(mine)]
    assert table[0][4] == "Released"
    assert table[1][4].startswith("Refused") and "No rule flags this person" in table[1][4]
    html = await page.content()
    assert not [i for i in identities if i in html]
    await accessible(page)
    await shot(page, "caseworker-unlocks")


async def test_an_unlock_without_a_justification_is_refused_on_the_page(sign_in, console):
    page = await sign_in("caseworker")
    pseudonym = console.get("reidentify", f"/v1/cohorts/{RULE}?limit=1", "caseworker"
                            ).json()[0]["pseudonym"]
    unlocks: list[str] = []
    page.on("request", lambda r: r.url.endswith("/v1/unlock") and unlocks.append(r.url))
    before = access_log(console)
    await page.goto(console.url + f"/caseworker/unlock?pseudonym={pseudonym}")
    await ready(page)
    await page.get_by_role("button", name="Unlock").click()

    summary = page.locator(".govuk-error-summary")
    await summary.wait_for(state="visible")
    assert await page.evaluate(
        "document.activeElement.classList.contains('govuk-error-summary')")
    assert await summary.get_by_role("link").all_inner_texts() == [
        "Choose the purpose of this unlock", "Enter why you need this person's identity"]
    assert (await page.title()).startswith("Error: ")
    assert await page.text_content("#justification-error") == (
        "Error: Enter why you need this person's identity")
    assert await page.get_attribute("#justification", "aria-invalid") == "true"
    await accessible(page)
    await shot(page, "caseworker-unlock-errors")

    # too short, with the purpose chosen: one error left; its link takes focus to the field
    await page.get_by_label(PURPOSE).check()
    await page.fill("#justification", "Because")
    await page.get_by_role("button", name="Unlock").click()
    await page.wait_for_function("document.querySelectorAll('.govuk-error-summary li')"
                                 ".length === 1")
    link = summary.get_by_role("link", name="The justification must be 20 characters or more")
    await link.click()
    assert await page.evaluate("document.activeElement.id") == "justification"
    assert not await page.locator("#purpose-error").count()
    await accessible(page)

    # nothing was asked of reidentify, and the access log holds no new attempt
    assert unlocks == []
    assert access_log(console) == before
    assert not await page.locator("#identity").is_visible()
