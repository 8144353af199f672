"""deploy/compose.yaml checked offline (make compose-test runs it): every environment
variable names a setting of its slice, every slice's settings pass production's checks,
every secret it mounts is a file `python -m deploy.compose prepare` makes, and only the
gateway and reidentify publish."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from deploy import compose
from services.common.settings import DEVELOPMENT_ISSUER
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


def production_refusal(name: str, env: dict[str, str], monkeypatch) -> str | None:
    """Why the slice's settings, from ``env`` alone, would not start; None if they would."""
    for var in os.environ:
        if var.startswith("TESSERA_"):
            monkeypatch.delenv(var)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    try:
        settings = settings_class(name)()
    except ValidationError as exc:
        return "; ".join(error["msg"] for error in exc.errors())
    assert settings.environment == "production"
    return None


def interpolated(value: str) -> str:
    """A compose value with each ``${NAME:-default}`` at its default."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    return compose.prepare(tmp_path_factory.mktemp("compose"))


@pytest.mark.parametrize("name", SERVICES)
def test_every_slice_passes_productions_checks(name, prepared, monkeypatch):
    """HTTPS with prepare's certificate, NATS over TLS, the stand-in issuer: what
    environment=production demands (ServiceSettings.insecure)."""
    files = {secret: prepared / interpolated(spec["file"]).removeprefix("../var/compose/")
             for secret, spec in FILE["secrets"].items()}
    env = {}
    for var, value in env_of(FILE["services"][name]).items():
        value = interpolated(value)
        if value.startswith("/run/secrets/"):
            value = str(files[value.removeprefix("/run/secrets/")])
        env[var] = value
    assert production_refusal(name, env, monkeypatch) is None


def test_the_issuer_is_one_variable_defaulting_to_the_stand_in():
    for name in SERVICES:
        issuer = env_of(FILE["services"][name])[f"TESSERA_{name.upper()}_TOKEN_ISSUER"]
        assert issuer == f"${{TESSERA_TOKEN_ISSUER:-{compose.ISSUER}}}"
    assert compose.ISSUER != DEVELOPMENT_ISSUER


def test_prepare_makes_a_certificate_naming_every_slice(prepared):
    from cryptography import x509

    cert = x509.load_pem_x509_certificate((prepared / "tls" / "server.pem").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(SERVICES) | {"localhost"} <= set(names.get_values_for_type(x509.DNSName))
    assert [str(a) for a in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]


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


def test_no_container_but_the_published_two_has_a_way_out():
    """Every network is internal (no route out of the host) but the one the published
    ports need, and only the gateway and reidentify are on it (SATRE 2.2.11)."""
    open_networks = {name for name, net in FILE["networks"].items()
                     if not (net or {}).get("internal")}
    assert open_networks == {"edge"}
    on_open = {name for name, service in FILE["services"].items()
               if set(service.get("networks", [])) & open_networks}
    assert on_open == {"gateway", "reidentify"}


def test_two_pseudonymisers_alike_on_one_database():
    """A writer and a standby: the same container twice, each named by its host name
    (the setting left to its default), so neither takes the other's lease."""
    first, second = FILE["services"]["pseudonymiser"], FILE["services"]["pseudonymiser-2"]
    assert first == second
    assert "TESSERA_PSEUDONYMISER_REPLICA" not in env_of(first)
