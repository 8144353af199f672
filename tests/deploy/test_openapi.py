"""docs/openapi and clients/python are what `make clients` writes from the code: a route
or model changed without regenerating them fails here, and the SDK regenerates with no
warning from openapi-python-client."""

from __future__ import annotations

import json

import pytest

from deploy.openapi import CLIENT, PACKAGE, SPECS, document, generate, render, warnings
from services.common.subjects import SERVICES


@pytest.mark.parametrize("service", SERVICES)
def test_the_committed_document_is_what_the_service_serves(service):
    committed = SPECS / f"{service}.json"
    assert committed.exists(), "run make clients"
    assert committed.read_text() == render(document(service)), "run make clients"


def tree(root) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*.py"))
            if "__pycache__" not in p.parts}


@pytest.mark.parametrize("service", SERVICES)
def test_the_committed_client_is_what_the_generator_writes(service, tmp_path):
    output = generate(service, SPECS / f"{service}.json", tmp_path / service)
    assert warnings(output) == []
    assert tree(tmp_path / service) == tree(CLIENT / PACKAGE / service), "run make clients"


def test_a_changed_document_is_noticed(tmp_path):
    spec = json.loads((SPECS / "consent.json").read_text())
    spec["paths"]["/v1/decisions"]["get"]["operationId"] = "somethingElse"
    (tmp_path / "consent.json").write_text(render(spec))
    generate("consent", tmp_path / "consent.json", tmp_path / "consent")
    assert tree(tmp_path / "consent") != tree(CLIENT / PACKAGE / "consent")
