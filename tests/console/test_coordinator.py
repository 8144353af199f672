"""The co-ordinator's path through the console, in a real browser: sign in, choose a rule's
threshold from its calibration and chart, see where demand falls; the counts shown are the
services' own, hidden counts say so, no identity or pseudonym reaches these pages, and a
caseworker's page is neither offered nor shown."""

from __future__ import annotations

import re

from tests.console.conftest import accessible, open_page, ready, shot

RULE = "oldham-gp-pilot"


def shown(count) -> str:
    return "hidden" if count is None else f"{count:,}"


async def rows(page, selector: str) -> list[list[str]]:
    return await page.eval_on_selector_all(
        f"{selector} tbody tr",
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))")


async def test_the_start_page_offers_only_the_coordinators_pages(sign_in):
    page = await sign_in("coordinator")
    await accessible(page)
    await shot(page, "start-coordinator")
    nav = page.locator("#navigation")
    assert await nav.get_by_role("link", name="Calibration").is_visible()
    assert await nav.get_by_role("link", name="Area demand").is_visible()
    assert not await nav.get_by_role("link", name="Cohort").is_visible()
    assert not await page.locator("#main-content").get_by_role("link", name="Cohort").is_visible()
    assert "Roles: coordinator." in await page.inner_text("#signed-in-as")


async def test_coordinator_chooses_a_threshold_from_the_calibration(sign_in, console):
    page = await sign_in("coordinator")
    await page.locator("#navigation").get_by_role("link", name="Calibration").click()
    await ready(page)
    await page.select_option("#rule", RULE)
    await page.wait_for_function(
        "rule => document.getElementById('rule-title').innerText.includes('version')", arg=RULE)
    await ready(page)
    calibration = console.get("scorer", f"/v1/rules/{RULE}/calibration", "coordinator").json()
    # the page shows the scorer's counts, threshold by threshold, "hidden" where it hid one
    table = await rows(page, "#threshold-table")
    assert [r[1:] for r in table] == [[shown(t["count"]), shown(t["count_without_categories"])]
                                     for t in calibration["thresholds"]]
    assert any(t["count"] for t in calibration["thresholds"])  # the borough flagged people
    now = calibration["conditions"]["min_indicators"]
    assert table[now - 1][0] == f"{now}+ indicators (the rule now)"
    note = await page.inner_text("#disclosure")
    assert f"{calibration['disclosure']['hidden']} of the {calibration['disclosure']['counts']}" \
        in note
    # the scorer's chart, fetched with the user's token, drawn, and described
    chart = page.locator("#chart")
    assert (await chart.get_attribute("src")).startswith("blob:")
    assert await chart.evaluate("img => img.complete && img.naturalWidth > 0")
    assert "Bar chart" in await chart.get_attribute("alt")
    await accessible(page)
    await shot(page, "coordinator-calibration")

    # choosing another threshold shows its areas beside the rule's own
    chosen = 3 if now != 3 else 4
    await page.get_by_label(f"{chosen}+", exact=True).check()
    caption = await page.inner_text("#area-caption")
    assert caption.startswith(f"By area at {chosen}+ indicators")
    at = next(t for t in calibration["thresholds"] if t["min_indicators"] == chosen)
    current = {a["area"]: a["count"] for a in calibration["current"]["areas"]}
    assert await rows(page, "#area-table") == [
        [a["area"] or "No area", shown(a["count"]), shown(current[a["area"]])]
        for a in at["areas"]]
    # a co-ordinator chooses; an administrator applies
    assert await page.locator("#apply-needs-admin").is_visible()
    assert not await page.locator("#apply").is_visible()
    await accessible(page)
    page.watch.clean()


async def test_area_demand_shows_counts_and_says_which_are_hidden(sign_in, console):
    page = await sign_in("coordinator")
    await page.locator("#navigation").get_by_role("link", name="Area demand").click()
    await ready(page)
    report = console.get("linker", "/v1/areas/demand", "coordinator").json()
    assert await rows(page, "#areas-table") == [
        [a["area"] or "No area", a["dataset"], shown(a["events"]), shown(a["persons"])]
        for a in report["areas"]]
    assert any(a["events"] for a in report["areas"])
    note = await page.inner_text("#disclosure")
    assert note.startswith(f"Counts from 1 to {report['disclosure']['threshold'] - 1} "
                           "are hidden")
    concentration = await page.inner_text("#concentration")
    assert shown(report["concentration"]["persons"]) in concentration
    await accessible(page)
    await shot(page, "coordinator-areas")


async def test_no_identity_or_pseudonym_reaches_the_coordinators_pages(sign_in, console):
    page = await sign_in("coordinator")
    identities = identities_of(console.borough)
    # the pseudonyms a co-ordinator could read from reidentify's cohort: none on these pages
    pseudonyms = [m["pseudonym"] for m in console.get(
        "reidentify", f"/v1/cohorts/{RULE}?limit=500", "coordinator").json()]
    assert identities and pseudonyms
    for path in ("/coordinator/calibration", "/coordinator/areas"):
        await page.goto(console.url + path)
        await ready(page)
        text = await page.evaluate("document.documentElement.outerHTML + document.body.innerText")
        assert not [i for i in identities if i in text], path
        assert not [p for p in pseudonyms if p in text], path


def identities_of(borough) -> list[str]:
    """Every identity the partners sent: full names, dates of birth, postcodes, local ids."""
    found = set()
    for dataset in borough.datasets:
        for row in dataset.identities:
            given, family = row.get("given_name"), row.get("family_name")
            if given and family:
                found.add(f"{given} {family}")
            for key in ("date_of_birth", "postcode", "local_id"):
                if row.get(key) and len(str(row[key])) >= 6:
                    found.add(str(row[key]))
    return sorted(found)


async def test_a_caseworkers_page_is_not_shown_to_a_coordinator(sign_in, console):
    page = await sign_in("coordinator")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    await page.goto(console.url + "/caseworker/cohort")
    await ready(page, "refused")
    assert await page.get_by_role("heading", name="You cannot see this page").is_visible()
    assert not await page.locator("#page").is_visible()
    assert not await page.locator("#cohort-table").is_visible()
    # nothing was asked of reidentify: the page made no call it may not make
    reidentify = console.fed.url("reidentify")
    assert not [u for u in asked if u.startswith(reidentify)]
    await accessible(page)
    await shot(page, "refused")


async def test_a_signed_out_visitor_is_asked_to_sign_in_and_an_api_problem_is_shown(
        sign_in, console, browser):
    context, page = await open_page(browser, console.url)
    try:
        await page.goto(console.url + "/coordinator/calibration")
        await ready(page, "signed-out")
        assert await page.get_by_role("link", name="Sign in").first.is_visible()
        assert not await page.locator("#page").is_visible()
        await accessible(page)
        page.watch.clean()
    finally:
        await context.close()
    # a rule that does not exist: the scorer's problem, by its title and detail
    page = await sign_in("coordinator")
    await page.goto(console.url + "/coordinator/calibration")
    await ready(page)
    page.watch.expect("status of 404")  # the browser logs the refused call
    await page.evaluate("""() => {
        const select = document.getElementById('rule');
        select.add(new Option('gone', 'no-such-rule'));
        select.value = 'no-such-rule';
        select.dispatchEvent(new Event('change'));
    }""")
    await page.wait_for_selector("body[data-state=problem]")
    problem = await page.inner_text("#problem")
    assert "Not found" in problem and "no rule set 'no-such-rule'" in problem
    assert re.search(r"scorer service answered with status 404", problem)
    await accessible(page)


async def test_an_administrator_applies_the_chosen_threshold(sign_in, console):
    rule = "oldham-chaotic-living"
    before = console.get("scorer", f"/v1/rules/{rule}", "admin").json()
    chosen = before["conditions"]["min_indicators"] + 1
    page = await sign_in("admin")
    await page.goto(f"{console.url}/coordinator/calibration?rule={rule}")
    await ready(page)
    assert not await page.locator("#apply-needs-admin").is_visible()
    await page.get_by_label(f"{chosen}+", exact=True).check()
    await page.get_by_role("button", name="Apply this threshold").click()
    banner = page.locator("#applied")
    await banner.wait_for(state="visible")
    after = console.get("scorer", f"/v1/rules/{rule}", "admin").json()
    assert after["version"] == before["version"] + 1
    assert after["conditions"] == {**before["conditions"], "min_indicators": chosen}
    assert {k: v for k, v in after.items() if k not in ("version", "conditions")} == \
        {k: v for k, v in before.items() if k not in ("version", "conditions")}
    assert f"version {after['version']}, with {chosen}+ indicators" in await banner.inner_text()
    # the page now shows the stored rule's own threshold as the rule's
    assert await page.get_by_label(f"{chosen}+ (now)").is_checked()
    await accessible(page)
