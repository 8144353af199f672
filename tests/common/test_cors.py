"""CORS for the console: a slice answers the exact origins it is configured with, even when
it refuses the request, and gives any other origin nothing to read."""

from __future__ import annotations

import httpx

from services.common import cors
from services.common.problems import Problem
from services.common.web import service_app

CONSOLE = "https://console.council.test"


def app_with(origins):
    app = service_app("t", None)

    @app.get("/v1/thing")
    async def thing():
        raise Problem(401, "Unauthenticated", "no token")

    cors.install(app, origins)
    return app


async def call(app, method, headers):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as http:
        return await http.request(method, "/v1/thing", headers=headers)


async def test_the_consoles_origin_is_answered_and_no_other():
    app = app_with([CONSOLE])
    preflight = await call(app, "OPTIONS", {
        "Origin": CONSOLE, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == CONSOLE
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in preflight.headers
    refused = await call(app, "GET", {"Origin": CONSOLE})
    # a refusal carries the headers too, so the console can show the problem
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == CONSOLE
    assert "WWW-Authenticate" in refused.headers["access-control-expose-headers"]
    elsewhere = await call(app, "OPTIONS", {
        "Origin": "https://elsewhere.test", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in elsewhere.headers
    other = await call(app, "GET", {"Origin": "https://elsewhere.test"})
    assert "access-control-allow-origin" not in other.headers


async def test_without_origins_no_cross_origin_call_is_answered():
    app = app_with([])
    answer = await call(app, "GET", {"Origin": CONSOLE})
    assert "access-control-allow-origin" not in answer.headers
