"""Fields a body does not declare ("roles", "pseudonym", "partner" ...) are refused with
422 problem+json naming the field, on every JSON request body of every service, as the
services' own OpenAPI documents describe them."""

from __future__ import annotations

import re

import pytest

from services.common.subjects import SERVICES
from tests.security.conftest import EVERYTHING

PROBLEM = "application/problem+json"
SMUGGLED = ("roles", "pseudonym", "partner", "districts", "is_admin")
PATTERN_CANDIDATES = ("all", "x", "2026-01-01", "P1Y", "OL1", "GP1", "a-1", "1")


def resolve(doc: dict, schema: dict) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema or {}


def example(doc: dict, schema: dict, depth: int = 0):
    """A small instance of a JSON schema: required properties only, one item per list."""
    s = resolve(doc, schema)
    if depth > 8:
        return None
    if "const" in s:
        return s["const"]
    if s.get("enum"):
        return s["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        options = [o for o in s.get(key, []) if resolve(doc, o).get("type") != "null"]
        if options:
            return example(doc, options[0], depth + 1)
    kind = s.get("type")
    if kind == "object" or "properties" in s:
        props = s.get("properties", {})
        return {k: example(doc, props.get(k, {}), depth + 1) for k in s.get("required", [])}
    if kind == "array":
        return [example(doc, s.get("items", {}), depth + 1)
                for _ in range(max(1, s.get("minItems", 1)))]
    if kind == "integer":
        return int(s.get("minimum", 1))
    if kind == "number":
        return float(s.get("minimum", 1))
    if kind == "boolean":
        return False
    if s.get("format") == "date":
        return "2026-01-01"
    if s.get("format") == "date-time":
        return "2026-01-01T00:00:00Z"
    size = max(1, s.get("minLength", 1))
    if "pattern" in s:
        return next((c for c in PATTERN_CANDIDATES if re.search(s["pattern"], c)), "x" * size)
    return "x" * size


def json_bodies(doc: dict) -> list[tuple[str, str, dict]]:
    out = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            content = op.get("requestBody", {}).get("content", {}) if isinstance(op, dict) else {}
            if "application/json" in content:
                out.append((method.upper(), path, content["application/json"]["schema"]))
    return out


@pytest.fixture(scope="module")
def documents(fed):
    return {s: fed.openapi(s) for s in SERVICES}


def cases(documents) -> list:
    return [(s, method, path, schema) for s in SERVICES
            for method, path, schema in json_bodies(documents[s])]


def _names_field(problem: dict, field: str) -> bool:
    for err in problem.get("errors") or []:
        if err.get("type") == "extra_forbidden" and err.get("loc") and err["loc"][-1] == field:
            return True
    return f"'{field}'" in problem.get("detail", "")


@pytest.mark.parametrize("service", SERVICES)
async def test_every_json_body_refuses_undeclared_fields(fed, documents, service):
    doc = documents[service]
    bodies = json_bodies(doc)
    if service in ("reidentify", "consent", "gateway", "scorer"):
        assert bodies, f"{service} takes JSON bodies"
    headers = fed.auth(service, **EVERYTHING[service])
    for method, path, schema in bodies:
        url = fed.url(service, re.sub(r"\{[^}]+\}", "probe", path))
        if "{dataset}" in path:
            url = fed.url(service, path.replace("{dataset}", "gp-p81001"))
        base = example(doc, schema)
        base = base if isinstance(base, dict) else {}
        declared = set(resolve(doc, schema).get("properties", {}))
        for field in (f for f in SMUGGLED if f not in declared):
            r = await fed.client.request(method, url, headers=headers,
                                         json={**base, field: ["admin"]})
            assert r.status_code == 422, (service, method, path, field, r.status_code, r.text)
            assert r.headers["content-type"] == PROBLEM
            assert _names_field(r.json(), field), (service, method, path, field, r.json())


async def test_the_generated_bodies_are_otherwise_acceptable(fed, documents):
    """Without the smuggled field a generated body passes schema validation, so the 422
    above is for the field and nothing else (business refusals such as 403/404 are fine)."""
    checked = 0
    for service, method, path, schema in cases(documents):
        doc = documents[service]
        if "{dataset}" in path:
            url = fed.url(service, path.replace("{dataset}", "gp-p81001"))
        else:
            url = fed.url(service, re.sub(r"\{[^}]+\}", "probe", path))
        body = example(doc, schema)
        r = await fed.client.request(method, url, json=body,
                                     headers=fed.auth(service, **EVERYTHING[service]))
        problem = r.json() if r.headers.get("content-type") == PROBLEM else {}
        extra = [e for e in problem.get("errors") or [] if e.get("type") == "extra_forbidden"]
        assert not extra, (service, path)
        checked += 1
    assert checked >= 6
