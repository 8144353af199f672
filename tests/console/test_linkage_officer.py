"""The linkage officer's path through the console, in a real browser: the review queue of
the synthetic borough (twins and near-namesakes the model could not decide) a page at a
time, a pair's records side by side with the evidence for and against, a decision that
merges and then one that splits, as the pseudonymiser reports and holds them; and nothing
of other roles' pages (no cohort, no count, no access log)."""

from __future__ import annotations

import json

from tests.console.conftest import accessible, ready, shot
from tests.console.test_coordinator import RULE, rows

PAGE = 10  # pairs to a page of the review queue (static/linkage/review.js)
FIELDS = [("partner", "Partner"), ("dataset", "Dataset"), ("given_name", "Given name"),
          ("family_name", "Family name"), ("date_of_birth", "Date of birth"), ("sex", "Sex"),
          ("address", "Address"), ("postcode", "Postcode")]
OFFICER = "linkage-officer"


def queue(console, status: str = "pending") -> list[dict]:
    return console.get("pseudonymiser", f"/v1/review?status={status}&limit=200", OFFICER).json()


def names(pair: dict) -> str:
    return " and ".join(" ".join(filter(None, (r["given_name"], r["family_name"])))
                        or "No name" for r in pair["records"])


def percent(probability: float) -> str:
    return f"{probability * 100:.1f}".removesuffix(".0") + "%"


def listed(pair: dict) -> list[str]:
    """A queue row as the page shows it, less when it was queued (the browser's clock)."""
    return [names(pair), " and ".join(r["dataset"] for r in pair["records"]),
            percent(pair["probability"]), {"link": "Link", "review": "Review"}[pair["band"]],
            "Waiting for a decision"]


def without_time(table: list[list[str]]) -> list[list[str]]:
    return [r[:4] + r[5:] for r in table]


def level(text: str) -> str:
    """A comparison level as the page says it."""
    if text == "All other comparisons":
        return "Different"
    return "Not given in one or both" if text.endswith(" is NULL") else text


def link_to(page, pair: dict):
    """The queue's link to a pair (two pairs may join people of the same names)."""
    return page.locator(f'#queue-table a[href*="pair={pair["pair_id"]}"]')


def persons_of(console, tokens: list[str]) -> set[int]:
    """The persons the pseudonymiser holds a pair's two records under."""
    con = console.fed.database("pseudonymiser")
    try:
        return {row[0] for row in con.execute(
            "SELECT person_id FROM identity_records WHERE record_token IN (?, ?)",
            tokens).fetchall()}
    finally:
        con.close()


async def test_the_queue_is_paged_as_the_pseudonymiser_pages_it(sign_in, console):
    pending = queue(console)
    # the borough's twins and near-namesakes: more than a page of them
    assert len(pending) > PAGE, len(pending)
    page = await sign_in(OFFICER)
    nav = page.locator("#navigation")
    assert [t.strip() for t in await nav.locator("li:visible").all_inner_texts()] == [
        "Review queue", "Sign out"]
    await nav.get_by_role("link", name="Review queue").click()
    await ready(page)
    assert without_time(await rows(page, "#queue-table")) == [listed(p) for p in pending[:PAGE]]
    assert "this page shows pairs 1 to 10" in await page.inner_text("#queue-paging")
    pages = page.get_by_role("navigation", name="Pages of the review queue")
    assert not await pages.get_by_role("link", name="Previous page").is_visible()
    await accessible(page)
    await shot(page, "linkage-review-queue")

    # by keyboard: the pagination is links
    await pages.get_by_role("link", name="Next page").focus()
    await page.keyboard.press("Enter")
    await ready(page)
    second = pending[PAGE:2 * PAGE]
    assert without_time(await rows(page, "#queue-table")) == [listed(p) for p in second]
    assert f"shows pairs 11 to {PAGE + len(second)}" in await page.inner_text("#queue-paging")
    assert await pages.get_by_role("link", name="Next page").is_visible() == (
        len(pending) > 2 * PAGE)
    await pages.get_by_role("link", name="Previous page").click()
    await ready(page)
    assert without_time(await rows(page, "#queue-table"))[0] == listed(pending[0])


async def test_a_pair_side_by_side_with_what_agreed_and_what_did_not(sign_in, console):
    pair = queue(console)[0]
    page = await sign_in(OFFICER)
    await page.goto(console.url + "/linkage/review")
    await ready(page)
    await link_to(page, pair).click()
    await ready(page)
    assert pair["pair_id"] in page.url
    first, second = pair["records"]
    assert await rows(page, "#records-table") == [
        [title, str(first[key] or "Not given"), str(second[key] or "Not given")]
        for key, title in FIELDS]
    evidence = await rows(page, "#evidence-table")
    assert [(r[1], r[2]) for r in evidence] == [
        (level(e["level"]), "For a match" if e["match_weight"] > 0 else
         "Against" if e["match_weight"] < 0 else "No evidence") for e in pair["evidence"]]
    assert [float(r[3].replace("\u2212", "-")) for r in evidence] == [
        round(e["match_weight"], 2) for e in pair["evidence"]]
    # a twin pair: the names disagree, the date of birth agrees
    assert any(e["match_weight"] > 0 for e in pair["evidence"])
    summary = await page.inner_text("#pair-summary")
    assert percent(pair["probability"]) in summary and "Waiting for a decision" in summary
    await accessible(page)
    await shot(page, "linkage-review-pair")

    # no choice made: the error summary, focused, names what to do and leads to it
    await page.get_by_role("button", name="Record the decision").click()
    errors = page.locator("#decide-errors")
    await errors.wait_for(state="visible")
    assert await errors.evaluate("e => e === document.activeElement")
    assert (await page.title()).startswith("Error: ")
    assert await page.locator("#decision-error").is_visible()
    await accessible(page)
    await errors.get_by_role("link").click()
    assert await page.evaluate("document.activeElement.id") == "decision-match"
    # the pair is still waiting: nothing was sent
    assert console.get("pseudonymiser", f"/v1/review/{pair['pair_id']}",
                       OFFICER).json()["status"] == "pending"


async def test_a_match_merges_and_a_non_match_splits_as_the_pseudonymiser_reports(
        sign_in, console):
    pair = queue(console)[0]
    tokens = [r["record_token"] for r in pair["records"]]
    assert len(persons_of(console, tokens)) == 2  # a pending pair: two persons
    page = await sign_in(OFFICER)
    await page.goto(f"{console.url}/linkage/review?pair={pair['pair_id']}")
    await ready(page)

    outcome = await decide(page, "Yes, a match")
    assert outcome["changes"] == 1 and outcome["pair"]["status"] == "match"
    banner = page.locator("#decided")
    assert await banner.evaluate("e => e === document.activeElement")
    said = await banner.inner_text()
    assert "Recorded: a match" in said
    assert f"merged into one: {records(outcome['reassigned'])} re-assigned" in said
    assert "has left the queue of pairs waiting for a decision" in said
    # the pseudonymiser holds the two records as one person now, and the queue moved on
    assert len(persons_of(console, tokens)) == 1
    stored = console.get("pseudonymiser", f"/v1/review/{pair['pair_id']}", OFFICER).json()
    assert stored["status"] == "match" and stored["decided_by"].startswith(f"{OFFICER}-")
    assert pair["pair_id"] not in {p["pair_id"] for p in queue(console)}
    summary = await page.inner_text("#pair-summary")
    assert "Decided: match" in summary and stored["decided_by"] in summary
    await accessible(page)

    # the queue no longer offers it; the decided ones do
    await page.get_by_role("link", name="Back to the review queue").click()
    await ready(page)
    assert not await link_to(page, pair).count()
    await page.get_by_label("Decided: match").check()
    await page.get_by_role("button", name="Show").click()
    await ready(page)
    assert "status=match" in page.url
    await link_to(page, pair).click()
    await ready(page)

    # deciding again replaces it: a non-match splits the person again (by keyboard)
    outcome = await decide(page, "No, not a match", keyboard=True)
    assert outcome["changes"] == 1 and outcome["pair"]["status"] == "non_match"
    said = await page.inner_text("#decided")
    assert "Recorded: not a match" in said
    assert f"The person was split: {records(outcome['reassigned'])} re-assigned" in said
    assert "has left the queue" not in said
    assert len(persons_of(console, tokens)) == 2
    assert "Decided: not a match" in await page.inner_text("#pair-summary")
    await accessible(page)
    await shot(page, "linkage-review-decided")


async def test_a_standbys_refusal_is_sent_again_to_the_writer(sign_in, console):
    """A pseudonymiser standby refuses the writer's routes having done nothing (503,
    urn:tessera:problem:standby): the page sends the decision again, once the lease has
    moved, and the officer sees it recorded as if the first had reached the writer."""
    pair = queue(console)[-1]
    page = await sign_in(OFFICER)
    page.watch.expect("status of 503")  # the browser logs the refusal it was given
    sent = []

    async def standby_once(route):
        sent.append(route.request.method)
        if route.request.method == "POST" and len(sent) == 1:
            origin = await route.request.header_value("origin")
            await route.fulfill(
                status=503, content_type="application/problem+json",
                headers={"Retry-After": "1", "Access-Control-Allow-Origin": origin},
                body=json.dumps({"type": "urn:tessera:problem:standby", "status": 503,
                                 "title": "Not the linkage writer", "role": "standby"}))
        else:
            await route.continue_()

    await page.route(f"**/v1/review/{pair['pair_id']}", standby_once)
    await page.goto(f"{console.url}/linkage/review?pair={pair['pair_id']}")
    await ready(page)
    sent.clear()  # the pair's own GET
    await page.get_by_label("No, not a match").check()
    await page.get_by_role("button", name="Record the decision").click()
    await page.locator("#decided").wait_for(state="visible")
    assert sent == ["POST", "POST"]
    assert "Recorded: not a match" in await page.inner_text("#decided")
    stored = console.get("pseudonymiser", f"/v1/review/{pair['pair_id']}", OFFICER).json()
    assert stored["status"] == "non_match"


async def decide(page, choice: str, keyboard: bool = False) -> dict:
    """Choose and record a decision, by mouse or keyboard; the pseudonymiser's answer."""
    async with page.expect_response(lambda r: r.request.method == "POST"
                                    and "/v1/review/" in r.url) as answered:
        if keyboard:
            await page.get_by_label(choice).focus()
            for key in ("Space", "Tab", "Enter"):  # choose, on to the button, press it
                await page.keyboard.press(key)
        else:
            await page.get_by_label(choice).check()
            await page.get_by_role("button", name="Record the decision").click()
    answer = await answered.value
    assert answer.status == 200, await answer.text()
    await page.locator("#decided").wait_for(state="visible")
    return await answer.json()


def records(n: int) -> str:
    return f"{n:,} record{' was' if n == 1 else 's were'}"


async def test_a_linkage_officer_sees_no_cohort_no_count_and_no_access_log(sign_in, console):
    page = await sign_in(OFFICER)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    for path in ("/caseworker/cohort", "/coordinator/calibration", "/coordinator/areas",
                 "/audit/access-log", "/audit/verification", "/audit/heads"):
        await page.goto(console.url + path)
        await ready(page, "refused")
        assert not await page.locator("#page").is_visible(), path
    services = [console.fed.url(s) for s in ("reidentify", "scorer", "linker", "gateway")]
    assert not [u for u in asked if u.startswith(tuple(services))]
    # the review pages carry identity fields of review pairs, never a pseudonym
    pseudonyms = [m["pseudonym"] for m in console.get(
        "reidentify", f"/v1/cohorts/{RULE}?limit=500", "coordinator").json()]
    assert pseudonyms
    await page.goto(console.url + "/linkage/review")
    await ready(page)
    await page.locator("#queue-table tbody a").first.click()
    await ready(page)
    text = await page.evaluate("document.documentElement.outerHTML + document.body.innerText")
    assert not [p for p in pseudonyms if p in text]
