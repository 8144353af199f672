"""Page sizes on every list endpoint of every service, and the gateway's body and row
limits over real HTTP (a streamed body without Content-Length included)."""

from __future__ import annotations

import json
import re

import pytest

from services.common.subjects import SERVICES
from tests.security.conftest import EVERYTHING

PROBLEM = "application/problem+json"
# Lists bounded by the size of a registry, not by data that grows: no page needed.
REGISTRY_LISTS = {
    "/v1/datasets": "the calling partner's own datasets",
    "/v1/rules": "the current rule sets",
    "/v1/agreements": "the data-sharing agreements in the registry",
}


def resolve(doc: dict, schema: dict) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema or {}


def fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "probe", path)


def list_operations(doc: dict) -> list[tuple[str, dict | None]]:
    """(path, the limit parameter or None) for every GET answering a JSON array, or paged."""
    out = []
    for path, item in doc["paths"].items():
        op = item.get("get")
        if not op:
            continue
        limit = next((p for p in op.get("parameters", [])
                      if p["in"] == "query" and p["name"] == "limit"), None)
        ok = op.get("responses", {}).get("200", {}).get("content", {})
        schema = resolve(doc, ok.get("application/json", {}).get("schema", {}))
        if limit is not None or schema.get("type") == "array":
            out.append((path, limit))
    return out


@pytest.fixture(scope="module")
def documents(fed):
    return {s: fed.openapi(s) for s in SERVICES}


@pytest.mark.parametrize("service", SERVICES)
def test_every_list_that_grows_with_data_is_paged(documents, service):
    unpaged = {path for path, limit in list_operations(documents[service])
               if limit is None and path not in REGISTRY_LISTS}
    assert unpaged == set(), f"{service}: list endpoints without a 'limit' parameter"


@pytest.mark.parametrize("service", SERVICES)
async def test_page_size_beyond_the_maximum_is_422(fed, documents, service):
    paged = [(path, limit) for path, limit in list_operations(documents[service]) if limit]
    assert paged, "every service serves at least its dead-letter list"
    headers = fed.auth(service, **EVERYTHING[service])
    for path, limit in paged:
        maximum = limit["schema"].get("maximum")
        assert maximum is not None, f"{service} {path}: limit has no maximum"
        for bad in (maximum + 1, 10**9, 0, -1, "ten"):
            r = await fed.client.get(fed.url(service, fill(path)), params={"limit": bad},
                                     headers=headers)
            assert r.status_code == 422, (service, path, bad, r.status_code)
            assert r.headers["content-type"] == PROBLEM
            problem = r.json()
            assert "'limit'" in problem["detail"]
            assert problem["errors"][0]["loc"] == ["query", "limit"]
            assert str(bad) not in json.dumps(problem["errors"]) or bad in (0, -1)
        r = await fed.client.get(fed.url(service, fill(path)), params={"limit": maximum},
                                 headers=headers)
        assert r.status_code != 422, (service, path, r.text)


# --- gateway body and row limits, over a real socket -------------------------------------


async def _stream(data: bytes, size: int = 64 * 1024):
    for i in range(0, len(data), size):
        yield data[i:i + size]


@pytest.mark.parametrize("content_type", ["application/json", "text/csv"])
async def test_streamed_body_without_length_over_the_limit_is_413(fed, content_type):
    limit = 20 * 1024 * 1024  # the gateway's default max_body_bytes
    if content_type == "text/csv":
        line = b"LIM-000001,Ada,King,1980-01-01\n"
        data = b"local_id,given_name,family_name,date_of_birth\n" + line * (
            limit // len(line) + 10)
    else:
        row = json.dumps({"local_id": "L1", "given_name": "Ada", "family_name": "King",
                          "date_of_birth": "1980-01-01"}).encode()
        data = b'{"records": [' + b",".join([row] * (limit // len(row) + 10)) + b"]}"
    headers = {**fed.auth("gateway", **EVERYTHING["gateway"]), "Content-Type": content_type}
    r = await fed.client.post(fed.url("gateway", "/v1/datasets/gp-p81001/identities"),
                              content=_stream(data), headers=headers)
    assert "content-length" not in r.request.headers
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM
    assert str(limit) in r.json()["detail"]


async def test_more_rows_than_allowed_over_http_is_413(fed):
    rows = 50_001  # the gateway's default max_rows
    csv = b"local_id,code,occurred_on\n" + b"".join(
        b"R%d,GP1,2026-01-01\n" % i for i in range(rows))
    headers = {**fed.auth("gateway", **EVERYTHING["gateway"]), "Content-Type": "text/csv"}
    r = await fed.client.post(fed.url("gateway", "/v1/datasets/gp-p81001/events"),
                              content=csv, headers=headers)
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM
    assert "50000 rows" in r.json()["detail"]
