"""`tessera run` passes the operator's own service settings (TESSERA_<SERVICE>_*) to the
services it starts, but not the wiring it owns (ports, NATS, keys)."""

from __future__ import annotations

import json

from deploy.cli.run import federation_for


def test_operator_settings_reach_their_service_and_wiring_stays(tmp_path):
    registry = str(tmp_path / "our-registry.yaml")
    fed = federation_for(tmp_path / "var", environ={
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


def test_the_console_calls_every_service_which_answers_its_origin(tmp_path):
    fed = federation_for(tmp_path / "var",
                         environ={"TESSERA_CONSOLE_ORGANISATION": "Oldham Council",
                                  "TESSERA_CONSOLE_SERVICE_URLS": "{}"})
    console = fed.web_env("console")
    assert console["TESSERA_CONSOLE_ORGANISATION"] == "Oldham Council"
    assert json.loads(console["TESSERA_CONSOLE_SERVICE_URLS"])["scorer"] == fed.url("scorer")
    assert console["TESSERA_CONSOLE_ISSUER_URL"] == fed.url("signin")
    for service in ("gateway", "scorer", "reidentify"):
        assert json.loads(fed.service_env(service)[f"TESSERA_{service.upper()}_CORS_ORIGINS"]) \
            == [fed.url("console"), fed.url("console").replace("127.0.0.1", "localhost")]
    clients = json.loads(fed.web_env("signin")["TESSERA_SIGNIN_CLIENTS"])
    assert clients == {"tessera-console": [f"{o}/callback" for o in fed.console_origins]}
