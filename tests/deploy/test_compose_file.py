"""deploy/compose.yaml checked offline (make compose-test runs it): every environment
variable names a setting of its slice, every secret it mounts is a file
`python -m deploy.compose prepare` makes, and only the gateway and reidentify publish."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from deploy import compose
from services.common.subjects import SERVICES

REPO = Path(__file__).resolve().parents[2]
FILE = yaml.safe_load((REPO / "deploy" / "compose.yaml").read_text())


def settings_class(name: str):
    import importlib

    package = "gateway" if name == "gateway" else f"services.{name}"
    module = importlib.import_module(f"{package}.settings")
    return next(v for k, v in vars(module).items()
                if k.endswith("Settings") and getattr(v, "__module__", "") == module.__name__)


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    return env if isinstance(env, dict) else dict(e.split("=", 1) for e in env)


@pytest.mark.parametrize("name", SERVICES)
def test_every_variable_names_a_setting_of_the_slice(name):
    fields = set(settings_class(name).model_fields)
    prefix = f"TESSERA_{name.upper()}_"
    for service_name in (name, f"migrate-{name}"):
        for var in env_of(FILE["services"][service_name]):
            assert var.startswith(prefix), (service_name, var)
            assert var[len(prefix):].lower() in fields, (service_name, var)


def test_every_mounted_secret_is_made_by_prepare(tmp_path):
    root = compose.prepare(tmp_path / "secrets")
    declared = FILE["secrets"]
    for service in FILE["services"].values():
        for secret in service.get("secrets", []):
            assert secret in declared
    for name, secret in declared.items():
        relative = re.sub(r"^\$\{TESSERA_SECRETS:-[^}]*\}/", "", secret["file"])
        assert (root / relative).is_file(), (name, relative)


def test_only_the_gateway_and_reidentify_publish_ports():
    published = {name for name, s in FILE["services"].items() if s.get("ports")}
    assert published == {"gateway", "reidentify"}


def test_each_slice_waits_for_its_migration_and_the_streams():
    for name in SERVICES:
        needs = FILE["services"][name]["depends_on"]
        assert needs[f"migrate-{name}"]["condition"] == "service_completed_successfully"
        assert needs["provision"]["condition"] == "service_completed_successfully"
