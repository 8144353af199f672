"""A body nested 100,000 deep is refused with a 4xx problem+json, never a 5xx, on every
POST and PUT route of every service that takes a JSON (or YAML) body, as the services'
own OpenAPI documents describe them, with a token holding every role."""

from __future__ import annotations

import re

import httpx
import pytest

from services.common.subjects import SERVICES
from tests.security.conftest import EVERYTHING

PROBLEM = "application/problem+json"
DEPTH = 100_000
DEEP = {
    "arrays": b"[" * DEPTH + b"]" * DEPTH,
    "objects": b'{"a":' * DEPTH + b"1" + b"}" * DEPTH,
    "inside records": b'{"records": ' + b"[" * DEPTH + b"]" * DEPTH + b"}",
}


def parsed_bodies(doc: dict) -> list[tuple[str, str, str]]:
    """(method, path, media type) for every POST/PUT/PATCH body read as JSON or YAML."""
    out = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in ("post", "put", "patch") or not isinstance(op, dict):
                continue
            for media in op.get("requestBody", {}).get("content", {}):
                if media.endswith("json") or "yaml" in media:
                    out.append((method.upper(), path, media))
    return out


def url_path(path: str) -> str:
    """A path that reaches the body: the gateway's uploads need a dataset the token's
    partner owns, or they are refused before the body is read."""
    return re.sub(r"\{[^}]+\}", "probe", path.replace("{dataset}", "gp-p81001"))


@pytest.fixture(scope="module")
def documents(fed):
    return {s: fed.openapi(s) for s in SERVICES}


def test_the_services_take_parsed_bodies(documents):
    routes = {(s, m, p) for s in SERVICES for m, p, _ in parsed_bodies(documents[s])}
    assert {s for s, _, _ in routes} >= {"gateway", "scorer", "reidentify", "consent"}
    assert ("gateway", "POST", "/v1/datasets/{dataset}/identities") in routes
    assert ("scorer", "PUT", "/v1/rules/{rule_id}") in routes


@pytest.mark.parametrize("service", SERVICES)
async def test_deeply_nested_bodies_are_4xx_never_5xx(fed, documents, service):
    headers = fed.auth(service, **EVERYTHING[service])
    answers = {}
    for method, path, media in parsed_bodies(documents[service]):
        for shape, body in DEEP.items():
            try:
                r = await fed.client.request(method, fed.url(service, url_path(path)),
                                             content=body,
                                             headers={**headers, "Content-Type": media})
            except httpx.TransportError as exc:  # a connection dropped: no answer at all
                answers[(method, path, media, shape)] = f"{type(exc).__name__}"
                continue
            answers[(method, path, media, shape)] = r.status_code
            if r.status_code < 500:
                assert 400 <= r.status_code < 500, (service, method, path, media, shape)
                assert r.headers["content-type"] == PROBLEM, (service, path, r.text)
    assert answers, f"{service}: no route was tried"
    failed = {k: v for k, v in answers.items() if not isinstance(v, int) or v >= 500}
    assert not failed, failed
