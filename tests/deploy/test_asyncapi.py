"""docs/asyncapi.yaml and docs/messages.md: current with services/common, and the
AsyncAPI document valid against the specification's own JSON Schema (vendored, no
network), with every reference resolving and every channel and schema accounted for."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from deploy import asyncapi
from services.common import subjects

SCHEMA = Path(__file__).parent / "asyncapi" / "3.0.0-without-id.json"


@pytest.fixture(scope="module")
def spec() -> dict:
    return asyncapi.document()


def test_the_documents_are_current():
    """Run `make asyncapi` after changing subjects.py or messages.py."""
    assert asyncapi.main(["--check"]) == 0


def test_the_document_is_valid_asyncapi_3(spec):
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(yaml.safe_load(asyncapi.render_spec(spec)))]
    assert errors == []


def test_a_broken_document_is_refused(spec):
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    broken = json.loads(json.dumps(spec))
    broken["operations"]["identity.send"]["action"] = "publish"  # AsyncAPI 2's word
    del broken["info"]["version"]
    broken["components"]["schemas"]["IdentityBatch"]["type"] = 5
    paths = {"/".join(map(str, e.absolute_path)) for e in validator.iter_errors(broken)}
    assert paths == {"info", "operations/identity.send",
                     "components/schemas/IdentityBatch/type"}


def _refs(node, found: list[str]) -> list[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.append(value)
            else:
                _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def test_every_reference_resolves(spec):
    for ref in _refs(spec, []):
        node = spec
        for part in ref.removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        assert isinstance(node, dict), ref


def test_every_channel_and_schema_is_in_the_document(spec):
    for c in subjects.CHANNELS:
        channel = spec["channels"][c.name]
        assert channel["address"].replace("{dataset}", "*") == c.subject
        assert [t["name"] for t in spec["operations"][f"{c.name}.send"]["tags"]] == \
            list(c.publishers)
        assert [t["name"] for t in spec["operations"][f"{c.name}.receive"]["tags"]] == \
            list(c.consumers)
        for model in (c.schema, c.reply_schema):
            if model is not None:
                schema = spec["components"]["schemas"][model.__name__]
                assert set(schema["properties"]) == set(model.model_fields)
                assert schema["additionalProperties"] is False  # extra="forbid"
        assert ("reply" in spec["operations"][f"{c.name}.send"]) == (c.kind == "request")


def test_the_table_names_every_subject_once():
    table = (asyncapi.REPO / "docs" / "messages.md").read_text()
    rows = [line for line in table.splitlines() if line.startswith("| `tessera.")]
    assert [row.split("`")[1] for row in rows] == [c.subject for c in subjects.CHANNELS]
