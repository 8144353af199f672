"""`make run`'s console: signing in through the development sign-in, which signs with the
development issuer's key the services already trust, works with nothing outside the
machine, and the pages answer with the services' data."""

from __future__ import annotations

import asyncio

import pytest_asyncio

from deploy.federation import Federation
from deploy.layout import Layout
from deploy.natsserver import free_port
from services.common.subjects import SERVICES
from tests.console.conftest import accessible, open_page, ready, shot


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def development(tmp_path_factory):
    fed = Federation(Layout(tmp_path_factory.mktemp("development")),
                     ports={s: free_port() for s in SERVICES}, nats_port=free_port(),
                     web_ports={"console": free_port(), "signin": free_port()})
    fed.prepare()
    fed.start_nats()
    try:
        await asyncio.to_thread(fed.start_services)
        yield fed
    finally:
        await asyncio.to_thread(fed.stop)


async def test_a_coordinator_signs_in_through_the_development_sign_in(development, browser):
    console = development.url("console")
    context, page = await open_page(browser, console)
    try:
        await page.goto(console + "/coordinator/calibration")
        await ready(page, "signed-out")
        await page.locator("#page-signed-out").get_by_role("link", name="Sign in").click()
        await page.wait_for_url(development.url("signin") + "/authorize?**")
        await shot(page, "development-sign-in")
        await page.get_by_label("Co-ordinator").check()
        await page.get_by_role("button", name="Sign in").click()
        # back where the sign-in started, with the scorer's built-in rules
        await page.wait_for_url(console + "/coordinator/calibration")
        await ready(page)
        options = await page.eval_on_selector_all("#rule option", "os => os.map(o => o.value)")
        assert "oldham-gp-pilot" in options
        assert "Roles: coordinator." in await page.inner_text("#signed-in-as")
        await accessible(page)
        await page.locator("#navigation").get_by_role("link", name="Sign out").click()
        await page.wait_for_url(console + "/signed-out")
        assert not await page.locator("#navigation").get_by_role(
            "link", name="Calibration").is_visible()
        await page.goto(console + "/coordinator/calibration")
        await ready(page, "signed-out")
        page.watch.clean()
    finally:
        await context.close()
