"""A partner's path through the console, in a real browser: its datasets and batches as the
gateway answers them (no other partner's), a batch's receipt with the rejected rows by
row and field and never a value sent, an unknown batch as a form error, and no page of
the council's staff: no cohort, no calibration."""

from __future__ import annotations

import uuid

import httpx
import pytest_asyncio

from deploy.demo import DemoApi, wait_batches
from tests.console.conftest import ROLES, accessible, ready, shot
from tests.console.test_caseworker import RULE
from tests.console.test_coordinator import rows

PARTNER = ROLES["partner"]["partner"]
OTHER = "schools-la"
BAD_POSTCODE = "QX99 9XQZ"
BAD_BIRTH = "2031-02-30"
KINDS = {"identities": "Identities", "events": "Events", "optouts": "Opt-outs"}


def gateway(console, partner: str) -> dict:
    token = console.provider.token("gateway", subject=f"svc-{partner}", partner=partner,
                                   scope=["ingest"])
    return {"Authorization": f"Bearer {token}"}


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def rejected(console) -> dict:
    """An upload of the partner's with two rows rejected, processed: its receipt."""
    person = {"given_name": "Ada", "family_name": "Lovelace", "date_of_birth": "1985-12-10",
              "sex": "F", "address": "12 Mill Lane, Oldham", "postcode": "OL1 1AA"}
    records = [{**person, "local_id": f"EMIS-C{uuid.uuid4().hex[:8]}"},
               {**person, "local_id": "EMIS-C2", "postcode": BAD_POSTCODE},
               {**person, "local_id": "EMIS-C3", "postcode": BAD_POSTCODE,
                "date_of_birth": BAD_BIRTH}]
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(
            console.fed.url("gateway") + f"/v1/datasets/{PARTNER}/identities",
            json={"records": records}, headers=gateway(console, PARTNER))
        assert answer.status_code == 202, answer.text
        receipt = answer.json()
        assert len(receipt["rejected"]) == 2
        api = DemoApi(client, console.fed.url("gateway"), console.fed.url("scorer"),
                      console.fed.url("reidentify"),
                      lambda service, **claims: console.provider.token(service, **claims))
        await wait_batches(api, [(PARTNER, receipt["batch_id"])], poll=0.3, timeout=60)
    return receipt


async def test_a_partner_sees_its_batches_and_a_receipts_rejected_rows(sign_in, console,
                                                                       rejected):
    page = await sign_in("partner")
    assert f"Partner: {PARTNER}." in await page.inner_text("#signed-in-as")
    nav = page.locator("#navigation")
    assert await nav.get_by_role("link", name="Batches").is_visible()
    assert await nav.get_by_role("link", name="Batch receipt").is_visible()
    for other in ("Cohort", "Unlock", "Your unlocks", "Calibration", "Area demand"):
        assert not await nav.get_by_role("link", name=other).is_visible()
    await accessible(page)
    await shot(page, "start-partner")
    await nav.get_by_role("link", name="Batches").click()
    await ready(page)

    datasets = console.get("gateway", "/v1/datasets", "partner").json()
    assert [r[0] for r in await rows(page, "#datasets-table")] == [d["id"] for d in datasets]
    batches = console.get("gateway", "/v1/batches?limit=100", "partner").json()
    assert rejected["batch_id"] in [b["batch_id"] for b in batches]
    assert [r[:1] + r[2:] for r in await rows(page, "#batches-table")] == [
        [b["batch_id"], b["dataset"], KINDS[b["kind"]], f"{b['accepted']:,}",
         f"{b['rejected']:,}", f"{b['processed']:,}",
         "Complete" if b["status"] == "complete" else "Processing"]
        for b in batches]
    # no other partner's batch is on the page
    async with httpx.AsyncClient(timeout=30) as client:
        theirs = (await client.get(console.fed.url("gateway") + "/v1/batches?limit=500",
                                   headers=gateway(console, OTHER))).json()
    assert theirs
    html = await page.content()
    assert not [b["batch_id"] for b in theirs if b["batch_id"] in html]
    await accessible(page)
    await shot(page, "partner-batches")

    # the receipt: the rows rejected, by row and field, never the value sent
    await page.get_by_role("link", name=rejected["batch_id"]).click()
    await ready(page)
    status = console.get("gateway", f"/v1/batches/{rejected['batch_id']}", "partner").json()
    assert await page.inner_text("#receipt-batch") == rejected["batch_id"]
    summary = await page.locator("#receipt-summary dd").all_inner_texts()
    assert summary == ["Complete", f"{status['accepted']:,}", f"{status['processed']:,}",
                       f"{status['rejected']:,}"]
    assert await rows(page, "#rejected-table") == [
        [str(row["row"]), error["field"], error["message"]]
        for row in rejected["rejected"] for error in row["errors"]]
    html = await page.content()
    assert BAD_POSTCODE not in html and BAD_BIRTH not in html
    await accessible(page)
    await shot(page, "partner-receipt")


async def test_a_partner_sees_no_cohort_and_an_unknown_batch_is_a_form_error(sign_in,
                                                                             console):
    page = await sign_in("partner")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    for path in (f"/caseworker/cohort?rule={RULE}", "/caseworker/unlock",
                 "/coordinator/calibration"):
        await page.goto(console.url + path)
        await ready(page, "refused")
        assert not await page.locator("#page").is_visible()
    for service in ("reidentify", "scorer"):
        assert not [u for u in asked if u.startswith(console.fed.url(service))]

    await page.goto(console.url + "/partner/receipt")
    await ready(page)
    await page.get_by_role("button", name="Show the receipt").click()
    summary = page.locator(".govuk-error-summary")
    await summary.wait_for(state="visible")
    assert await summary.get_by_role("link").all_inner_texts() == ["Enter the batch id"]
    assert "/partner/receipt" == page.url.removeprefix(console.url)
    await accessible(page)

    # another partner's batch is as unknown as one never made
    async with httpx.AsyncClient(timeout=30) as client:
        theirs = (await client.get(console.fed.url("gateway") + "/v1/batches?limit=1",
                                   headers=gateway(console, OTHER))).json()[0]["batch_id"]
    page.watch.expect("status of 404")  # the browser logs the refused calls
    await page.fill("#batch", theirs)
    await page.get_by_role("button", name="Show the receipt").click()
    await page.wait_for_url(lambda url: url.endswith(f"/partner/receipt?batch={theirs}"))
    await ready(page)
    await summary.wait_for(state="visible")
    assert await summary.get_by_role("link").all_inner_texts() == [
        "No batch of yours has this id"]
    assert not await page.locator("#receipt").is_visible()
    await accessible(page)
