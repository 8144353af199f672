"""The console in a real browser: Debian's Chromium driven by Playwright, signing in through
a real OpenID Connect provider (oidc-provider-mock) to a federation of real processes that
trusts it, with a synthetic borough pushed through the gateway.

A role's tests ask ``sign_in("caseworker")`` for a page signed in as that role, then
``ready(page)`` after each navigation and ``accessible(page)`` on each page they show.
The fixtures are started once for the package, so each role's file adds pages, not
start-up time."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import pytest_asyncio

from deploy.demo import DemoApi, upload, wait_batches
from deploy.federation import Federation
from deploy.layout import Layout
from deploy.natsserver import free_port
from services.common.subjects import SERVICES
from services.console.settings import HERE
from synthetic import generate_borough

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SEED, HOUSEHOLDS = 11, 250
DISTRICTS = ["OL1", "OL2", "OL4", "OL8", "OL9"]
# every audience a console token must carry, as a council's provider is set up to issue
AUDIENCES = ["tessera-console", *(f"tessera-{s}" for s in SERVICES)]

# what each role's person carries besides: as the council's provider would issue them
ROLES: dict[str, dict] = {
    "coordinator": {"roles": ["coordinator"], "districts": DISTRICTS},
    "analyst": {"roles": ["analyst"]},
    "admin": {"roles": ["admin"]},
    "caseworker": {"roles": ["caseworker"], "districts": ["OL1", "OL2"],
                   "purposes": ["early-help-triage"], "org": "oldham-early-help"},
    "linkage-officer": {"roles": ["linkage-officer"]},
    "auditor": {"roles": ["auditor"]},
    "dpo": {"roles": ["dpo"]},
    # a partner's person: the partner and the gateway's scope, no role (as the gateway's
    # tests and a partner's system hold them)
    "partner": {"partner": "gp-p81001", "scope": ["ingest"]},
}
# where screenshots go (make screenshots): unset, none are taken
SHOTS = os.environ.get("TESSERA_CONSOLE_SCREENSHOTS")


@dataclass
class Provider:
    """oidc-provider-mock on a free port, with CORS for the console's origin (a council's
    provider allows its clients' origins: Keycloak's Web Origins, Entra's SPA platform)."""

    url: str

    def person(self, subject: str, claims: dict) -> None:
        """Say what ``subject``'s tokens carry: the claims, a second factor, every
        service's audience and a token id."""
        answer = httpx.put(f"{self.url}/users/{subject}", json={
            **claims, "amr": ["pwd", "otp"], "aud": AUDIENCES, "jti": uuid.uuid4().hex})
        assert answer.status_code == 204, answer.text

    def token(self, service: str, subject: str = "tester", **claims) -> str:
        """A token for ``service`` through the code flow, as a partner's system would get
        one (the seeding's uploads)."""
        subject = f"{subject}-{uuid.uuid4().hex[:8]}"
        self.person(subject, claims)
        with httpx.Client(base_url=self.url, timeout=10) as http:
            redirect = "http://127.0.0.1/callback"
            query = {"client_id": f"tessera-{service}", "redirect_uri": redirect,
                     "response_type": "code", "scope": "openid", "state": "s"}
            answer = http.post("/oauth2/authorize", params=query, data={"sub": subject})
            assert answer.status_code == 302, answer.text
            code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
            tokens = http.post("/oauth2/token", data={
                "grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
                "client_id": f"tessera-{service}", "client_secret": "secret"}).json()
        return tokens["id_token"]


@contextmanager
def provider(console_origins: list[str]):
    import flask_cors
    import werkzeug.serving
    from oidc_provider_mock import _app, app

    # the console is a public client (PKCE, no secret), which the mock's grant does not
    # list: authlib's documented way is the grant's TOKEN_ENDPOINT_AUTH_METHODS. (The mock
    # takes the PKCE parameters without checking them; the development sign-in checks them,
    # tests/deploy/test_signin.py.)
    grant = _app.AuthorizationCodeGrant
    methods = grant.TOKEN_ENDPOINT_AUTH_METHODS
    grant.TOKEN_ENDPOINT_AUTH_METHODS = [*methods, "none"]
    # ten minutes: under the shortest lifetime any role may hold (a caseworker's)
    flask_app = app(access_token_max_age=timedelta(minutes=10))
    flask_cors.CORS(flask_app, origins=console_origins)
    server = werkzeug.serving.make_server("127.0.0.1", 0, flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield Provider(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(10)
        grant.TOKEN_ENDPOINT_AUTH_METHODS = methods


@dataclass
class Console:
    url: str
    fed: Federation
    provider: Provider
    borough: object = None
    pages: list = field(default_factory=list)

    def token(self, service: str, role: str) -> str:
        return self.provider.token(service, subject=role, **ROLES[role])

    def get(self, service: str, path: str, role: str, **kwargs) -> httpx.Response:
        """What a service answers ``role`` (to compare a page with)."""
        return httpx.get(self.fed.url(service) + path, timeout=30, headers={
            "Authorization": f"Bearer {self.token(service, role)}"}, **kwargs)


@asynccontextmanager
async def running_console(root: Path) -> AsyncIterator[Console]:
    import asyncio

    console_port = free_port()
    origins = [f"http://127.0.0.1:{console_port}", f"http://localhost:{console_port}"]
    with provider(origins) as idp:
        trust = {"TOKEN_ISSUER": idp.url, "TOKEN_DISCOVERY": "true",
                 "TOKEN_ALGORITHMS": '["RS256"]', "TOKEN_KID_OPTIONAL": "true"}
        extra = {s: {f"TESSERA_{s.upper()}_{k}": v for k, v in trust.items()}
                 for s in SERVICES}
        extra["reidentify"]["TESSERA_REIDENTIFY_UNLOCK_RATE_PER_HOUR"] = "10000"
        # the access log's head signed within seconds of an entry, for the auditor's pages
        extra["reidentify"]["TESSERA_REIDENTIFY_HEAD_SIGNING_INTERVAL_S"] = "2"
        extra["console"] = {"TESSERA_CONSOLE_ISSUER_URL": idp.url,
                            "TESSERA_CONSOLE_BEARER": "id_token"}
        fed = Federation(Layout(root), ports={s: free_port() for s in SERVICES},
                         nats_port=free_port(), environment="test", extra_env=extra,
                         web_ports={"console": console_port})
        fed.prepare()
        fed.start_nats()
        try:
            await asyncio.to_thread(fed.start_services)
            console = Console(fed.url("console"), fed, idp)
            console.borough = generate_borough(SEED, HOUSEHOLDS, date.today())
            async with httpx.AsyncClient(timeout=60) as client:
                api = DemoApi(client, fed.url("gateway"), fed.url("scorer"),
                              fed.url("reidentify"),
                              lambda service, **claims: idp.token(service, **claims))
                batches = await upload(api, console.borough, 2000, out=lambda line: None)
                await wait_batches(api, batches, poll=0.3, timeout=180)
            yield console
        finally:
            await asyncio.to_thread(fed.stop)


@pytest_asyncio.fixture(loop_scope="session", scope="package")
async def console(tmp_path_factory) -> AsyncIterator[Console]:
    async with running_console(tmp_path_factory.mktemp("console")) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="session", scope="package")
async def browser():
    from playwright.async_api import async_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail("Debian's chromium is not installed: make install installs it as root "
                    "(apt-get install chromium chromium-driver)")
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        await chromium.close()


@dataclass
class Watch:
    """What a page did that it must not: ask for anything off this machine, log an error
    (a refused script or style, a failed call), or throw."""

    origin: str
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # errors a test provokes on purpose (the browser logs a refused call), by a part of
    # their text
    expected: list[str] = field(default_factory=list)

    def expect(self, text: str) -> None:
        self.expected.append(text)

    def clean(self) -> None:
        assert self.outside == [], self.outside
        unexpected = [e for e in self.errors if not any(t in e for t in self.expected)]
        assert unexpected == [], unexpected


async def open_page(browser, origin: str):
    """A new browser context (a laptop's screen) and page that reach nothing off this
    machine, carry axe-core, and note what the pages of ``origin`` log as errors
    (``page.watch``)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    watch = Watch(origin)

    async def only_this_machine(route):
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            await route.continue_()
        else:
            # the provider's own page asks a CDN for its style; the console never may
            if route.request.frame.url.startswith(origin):
                watch.outside.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_this_machine)
    # axe-core from its npm package, in every page (a page's CSP does not apply to it)
    await context.add_init_script(path=str(AXE))
    page = await context.new_page()
    page.on("console", lambda m: m.type == "error" and page.url.startswith(origin)
            and watch.errors.append(m.text))
    page.on("pageerror", lambda e: watch.errors.append(str(e)))
    page.watch = watch
    return context, page


@pytest_asyncio.fixture(loop_scope="session")
async def sign_in(console, browser):
    """``await sign_in(role)``: a new browser context (a laptop's screen), signed in as a
    person of that role through the provider's own sign-in form, on the console's start
    page. Nothing leaves the machine; the console's own pages may log no error."""
    contexts = []
    watches = []

    async def signed_in(role: str, claims: dict | None = None):
        context, page = await open_page(browser, console.url)
        contexts.append(context)
        watches.append(page.watch)
        subject = f"{role}-{uuid.uuid4().hex[:8]}"
        console.provider.person(subject, claims if claims is not None else ROLES[role])
        await page.goto(console.url + "/")
        await ready(page)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(f"{console.provider.url}/**")
        await page.fill("input[name=sub]", subject)
        await page.get_by_role("button", name="Authorize").click()
        await page.wait_for_url(console.url + "/")
        await ready(page)
        return page

    yield signed_in
    for context in contexts:
        await context.close()
    for watch in watches:
        watch.clean()


async def ready(page, state: str = "ready") -> None:
    """Wait until the page's script has finished (body[data-state]), and check it ended
    as expected."""
    await page.wait_for_selector("body[data-state]", state="attached")
    got = await page.get_attribute("body", "data-state")
    if got != state:
        problem = await page.inner_text("#problem") if got == "problem" else ""
        raise AssertionError(f"{page.url}: {got} (wanted {state}) {problem}")


async def accessible(page) -> None:
    """No WCAG 2.2 A or AA violation axe-core can find in the page as it stands."""
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA)
    found = [f"{v['id']}: {v['help']} ({', '.join(str(n['target']) for n in v['nodes'])})"
             for v in result["violations"]]
    assert found == [], f"{page.url}: {found}"


async def shot(page, name: str) -> None:
    """A screenshot of the whole page for docs/console.md, when asked for."""
    if SHOTS:  # Playwright makes the folder
        await page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
