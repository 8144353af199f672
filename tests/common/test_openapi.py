"""Every service's OpenAPI document as a client generator reads it (services/common/openapi.py):
ids unique across the federation, one ProblemDetail, named bodies, examples that are valid,
the security scheme the deployment uses, and docs pages that load nothing from elsewhere."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

from deploy.openapi import development_defaults, document
from gateway.schemas import BatchReceipt, EventUpload, IdentityUpload, OptOutUpload
from services.common.subjects import SERVICES
from services.reidentify.schemas import CohortMember, UnlockBody, UnlockReply
from services.scorer.schemas import Calibration

METHODS = ("get", "post", "put", "patch", "delete")
PROBLEM_REF = "#/components/schemas/ProblemDetail"


@pytest.fixture(scope="module")
def documents() -> dict[str, dict]:
    return {service: document(service) for service in SERVICES}


def operations(doc: dict):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def op(doc: dict, method: str, path: str) -> dict:
    return doc["paths"][path][method]


def test_operation_ids_are_short_camel_case_and_unique_across_the_federation(documents):
    seen: dict[str, str] = {}
    clashes = []
    for service, doc in documents.items():
        for method, path, operation in operations(doc):
            found = operation["operationId"]
            assert re.fullmatch(r"[a-z][A-Za-z0-9]{1,40}", found), (service, path, found)
            if found in seen:
                clashes.append((found, seen[found], f"{service} {method} {path}"))
            seen[found] = f"{service} {method} {path}"
    assert clashes == []
    gateway, reidentify, scorer = (documents[s] for s in ("gateway", "reidentify", "scorer"))
    assert op(gateway, "post", "/v1/datasets/{dataset}/identities")["operationId"] == \
        "uploadIdentities"
    assert op(reidentify, "post", "/v1/unlock")["operationId"] == "unlock"
    assert op(scorer, "get", "/v1/rules/{rule_id}/calibration")["operationId"] == \
        "getCalibration"
    # a route every service serves carries the service's name
    assert op(gateway, "get", "/healthz")["operationId"] == "gatewayHealthz"


def test_every_operation_is_described_and_every_service_too(documents):
    undescribed = [(s, m, p) for s, doc in documents.items()
                   for m, p, o in operations(doc)
                   if not (o.get("summary") and o.get("description", "").strip())]
    assert undescribed == []
    for doc in documents.values():
        assert len(doc["info"]["description"]) > 100
        assert "ProblemDetail" in doc["info"]["description"]


def test_every_error_refers_to_the_one_problem_detail(documents):
    """All but /readyz's 503, which is the readiness answer itself (the same schema as its
    200: the checks and what each failing one waits for)."""
    for service, doc in documents.items():
        schemas = doc["components"]["schemas"]
        assert {"ProblemDetail", "FieldIssue"} <= set(schemas)
        assert "HTTPValidationError" not in schemas
        readiness = doc["paths"]["/readyz"]["get"]["responses"]
        assert readiness["503"]["content"] == readiness["200"]["content"] == {
            "application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}}
        errors = 0
        for method, path, operation in operations(doc):
            for status, response in operation["responses"].items():
                if status[0] in "45" and (path, status) != ("/readyz", "503"):
                    errors += 1
                    assert response["content"] == {
                        "application/problem+json": {"schema": {"$ref": PROBLEM_REF}}}, \
                        (service, method, path, status)
            if "requestBody" in operation:
                assert "413" in operation["responses"], (service, method, path)
        assert errors
        # nowhere else is a problem written out in place
        assert str(doc).count("'title': 'ProblemDetail'") == 1


def test_upload_rows_are_named_components_and_csv_is_documented(documents):
    doc = documents["gateway"]
    schemas = doc["components"]["schemas"]
    assert {"IdentityRow", "EventRow", "OptOutRow", "IdentityUpload", "EventUpload",
            "OptOutUpload"} <= set(schemas)
    for kind, model in (("identities", "IdentityUpload"), ("events", "EventUpload"),
                        ("optouts", "OptOutUpload")):
        content = op(doc, "post", f"/v1/datasets/{{dataset}}/{kind}")["requestBody"]["content"]
        assert content["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{model}"}
        csv = content["text/csv"]["examples"]["rows"]["value"]
        json_rows = content["application/json"]["examples"]["rows"]["value"]
        assert csv.splitlines()[0].split(",")[0] == "local_id"
        assert json_rows == schemas[model]["examples"][0]


@pytest.mark.parametrize("model,minimum", [
    (IdentityUpload, 1), (EventUpload, 1), (OptOutUpload, 1), (BatchReceipt, 1),
    (CohortMember, 1), (UnlockBody, 1), (UnlockReply, 1), (Calibration, 1)])
def test_examples_are_valid_instances_of_their_models(model, minimum):
    examples = model.model_json_schema()["examples"]
    assert len(examples) >= minimum
    for example in examples:
        model.model_validate(example)


def test_upload_cohort_unlock_and_calibration_show_examples(documents):
    def shown(doc: dict, schema: dict) -> bool:
        while "$ref" in schema:
            schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        if schema.get("type") == "array":
            return shown(doc, schema["items"])
        return bool(schema.get("examples"))

    cases = [("gateway", "post", "/v1/datasets/{dataset}/identities", "202"),
             ("reidentify", "get", "/v1/cohorts/{rule_id}", "200"),
             ("reidentify", "post", "/v1/unlock", "200"),
             ("scorer", "get", "/v1/rules/{rule_id}/calibration", "200")]
    for service, method, path, status in cases:
        doc = documents[service]
        operation = op(doc, method, path)
        response = operation["responses"][status]["content"]["application/json"]["schema"]
        assert shown(doc, response), (service, path)
        if "requestBody" in operation:
            body = operation["requestBody"]["content"]["application/json"]
            assert body.get("examples") or shown(doc, body["schema"]), (service, path)


def test_bearer_tokens_by_default_and_openid_connect_with_an_issuer(monkeypatch):
    from services.consent.app import create_app

    doc = document("consent")
    assert doc["components"]["securitySchemes"] == {"bearer": {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "A JWT (EdDSA or ES256) from the issuer the service trusts"}}
    assert op(doc, "get", "/v1/decisions")["security"] == [{"bearer": []}]
    assert "security" not in op(doc, "get", "/healthz")
    with development_defaults():
        monkeypatch.setenv("TESSERA_CONSENT_TOKEN_ISSUER", "https://login.council.example/")
        doc = create_app().openapi()
    assert doc["components"]["securitySchemes"] == {"openIdConnect": {
        "type": "openIdConnect",
        "openIdConnectUrl": "https://login.council.example/.well-known/openid-configuration",
        "description": "Tokens from the council's identity provider"}}
    assert op(doc, "post", "/v1/decisions")["security"] == [{"openIdConnect": []}]


class Sources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.found.append(value)


async def test_docs_pages_load_only_their_own_files():
    from services.linker.app import create_app

    with development_defaults():
        app = create_app()
    # no lifespan: the pages need no database or NATS
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://linker")
    async with client:
        await pages_load_only_their_own_files(client)


async def pages_load_only_their_own_files(client: httpx.AsyncClient) -> None:
    for page in ("/docs", "/redoc"):
        response = await client.get(page)
        assert response.status_code == 200
        parser = Sources()
        parser.feed(response.text)
        # plus the URLs a page's script is told to fetch (the document itself)
        sources = parser.found + re.findall(r"url: '([^']+)'", response.text)
        assert sources, page
        assert [s for s in sources if not s.startswith("/")] == [], page
        assert "//" not in "".join(sources), page
        for source in parser.found:
            assert (await client.get(source)).status_code == 200, source
    assert "/docs-assets/swagger-ui-bundle.js" in (await client.get("/docs")).text
    assert "/docs-assets/redoc.standalone.js" in (await client.get("/redoc")).text
