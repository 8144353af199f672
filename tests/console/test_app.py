"""The console's server: page shells with no data, the front-end packages from
node_modules, /config.json, a strict Content Security Policy, and refusals in production."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from services.common.tokens import HUMAN_ROLES, ClaimMapping
from services.console.app import create_app
from services.console.pages import Page, sections
from services.console.settings import HERE, ConsoleSettings

SERVICES = {"scorer": "https://scorer.council.test", "linker": "https://linker.council.test/"}


def client(**settings) -> httpx.AsyncClient:
    app = create_app(ConsoleSettings(**{"service_urls": SERVICES, **settings}))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c")


async def test_config_tells_the_browser_where_to_sign_in_and_call():
    mapping = ClaimMapping(roles="realm_access.roles", role_values={"t-coord": "coordinator"})
    async with client(issuer_url="https://login.council.test/realms/tessera/",
                      scopes=["openid", "profile"], token_claims=mapping) as http:
        config = (await http.get("/config.json")).json()
    assert config == {
        "issuer": "https://login.council.test/realms/tessera", "client_id": "tessera-console",
        "scope": "openid profile", "bearer": "access_token",
        "claims": {"roles": "realm_access.roles", "role_values": {"t-coord": "coordinator"},
                   "districts": "districts", "purposes": "purposes", "partner": "partner",
                   "scopes": "scope"},
        "services": {"scorer": "https://scorer.council.test",
                     "linker": "https://linker.council.test"}}


async def test_every_page_is_a_shell_with_a_strict_policy():
    async with client(issuer_url="https://login.council.test") as http:
        for section in sections():
            for page in section.pages:
                answer = await http.get(page.path)
                assert answer.status_code == 200, page.path
                assert f'src="/static/{page.script}"' in answer.text
                assert f'data-roles="{" ".join(page.roles)}"' in answer.text
                assert f'data-scopes="{" ".join(page.scopes)}"' in answer.text
        policy = answer.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert ("connect-src 'self' https://login.council.test https://scorer.council.test "
            "https://linker.council.test;") in policy
    assert "frame-ancestors 'none'" in policy and answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "no-referrer"


async def test_front_end_packages_are_served_from_node_modules():
    async with client() as http:
        for path in ("/assets/govuk/govuk-frontend.min.js",
                     "/assets/oidc-client-ts/oidc-client-ts.min.js",
                     "/assets/build/console.css", "/static/console.js"):
            answer = await http.get(path)
            assert answer.status_code == 200, path
        css = (await http.get("/assets/build/console.css")).text
        assert "GDS Transport" not in css  # GOV.UK's own typeface is for GOV.UK alone
        assert (await http.get("/readyz")).json() == {"status": "ok", "missing": []}
        missing = await http.get("/nowhere")
    assert missing.status_code == 404 and "Page not found" in missing.text


async def test_not_ready_without_the_front_end_packages(tmp_path):
    async with client(node_modules=tmp_path / "none") as http:
        answer = await http.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["missing"] == ["/assets/govuk", "/assets/oidc-client-ts"]


def test_every_page_names_its_template_script_and_human_roles():
    for section in sections():
        for page in section.pages:
            assert (HERE / "templates" / page.template).is_file(), page.template
            assert (HERE / "static" / page.script).is_file(), page.script
            assert set(page.roles) <= set(HUMAN_ROLES), page.path
    with pytest.raises(ValueError, match="lower-case path"):
        Page(path="/Bad Path", title="t", roles=("admin",), template="t", script="s")
    with pytest.raises(ValueError, match="at least one role or scope"):
        Page(path="/ok", title="t", roles=(), template="t", script="s")


SECURE = {"environment": "production", "tls_cert_file": "/run/secrets/cert",
          "tls_key_file": "/run/secrets/key", "issuer_url": "https://login.council.test",
          "service_urls": {"scorer": "https://scorer.council.test"}}


def test_production_refuses_plain_http_the_development_sign_in_and_id_tokens():
    assert ConsoleSettings(**SECURE).insecure() == []
    for change, named in (({"tls_cert_file": None}, "TESSERA_CONSOLE_TLS_CERT_FILE"),
                          ({"service_urls": {"scorer": "http://scorer:8003"}},
                           "TESSERA_CONSOLE_SERVICE_URLS"),
                          ({"issuer_url": "http://127.0.0.1:8007"}, "development sign-in"),
                          ({"bearer": "id_token"}, "TESSERA_CONSOLE_BEARER")):
        with pytest.raises(ValidationError, match=named):
            ConsoleSettings(**{**SECURE, **change})
    with pytest.raises(ValidationError, match="service_urls"):
        ConsoleSettings(service_urls={"scorer": "scorer.council.test"})
