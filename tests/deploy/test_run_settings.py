"""`tessera run` passes the operator's own service settings (TESSERA_<SERVICE>_*) to the
services it starts, but not the wiring it owns (ports, NATS, keys)."""

from __future__ import annotations

from deploy.cli import build_parser, federation_for


def test_operator_settings_reach_their_service_and_wiring_stays(tmp_path):
    args = build_parser().parse_args(["--var", str(tmp_path / "var"), "run"])
    registry = str(tmp_path / "our-registry.yaml")
    fed = federation_for(args, environ={
        "TESSERA_GATEWAY_REGISTRY_PATH": registry,
        "TESSERA_SCORER_LOG_LEVEL": "DEBUG",
        "TESSERA_GATEWAY_PORT": "1", "TESSERA_LINKER_NATS_URL": "nats://elsewhere:4222",
        "UNRELATED": "x"})
    gateway = fed.service_env("gateway")
    assert gateway["TESSERA_GATEWAY_REGISTRY_PATH"] == registry
    assert gateway["TESSERA_GATEWAY_PORT"] == str(fed.ports["gateway"])
    assert fed.service_env("scorer")["TESSERA_SCORER_LOG_LEVEL"] == "DEBUG"
    assert fed.service_env("linker")["TESSERA_LINKER_NATS_URL"] == fed.nats_url
    assert "TESSERA_GATEWAY_REGISTRY_PATH" not in fed.service_env("scorer")
