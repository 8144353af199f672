"""Schemathesis against every service's OpenAPI document, all checks, on the real processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.cli import token_factory
from deploy.federation import REPO, Federation
from deploy.layout import Layout
from deploy.natsserver import free_port
from services.common.subjects import SERVICES

MAX_EXAMPLES = os.environ.get("TESSERA_FUZZ_EXAMPLES", "25")
DISTRICTS = ["OL1", "OL2", "OL4", "OL8", "OL9"]

CLAIMS = {
    "gateway": {"partner": "gp-p81001", "scope": ["ingest"]},
    "pseudonymiser": {"roles": ["linkage-officer", "dpo"]},
    "linker": {"roles": ["analyst", "dpo"]},
    "scorer": {"roles": ["coordinator", "admin", "analyst", "dpo"]},
    "reidentify": {"roles": ["caseworker", "coordinator", "auditor", "admin", "dpo"],
                   "districts": DISTRICTS, "purposes": ["early-help-triage"], "org": "t"},
    "consent": {"roles": ["caseworker", "coordinator", "dpo"]},
}


def schemathesis_cli() -> str:
    exe = Path(sys.executable).parent / "schemathesis"
    return str(exe) if exe.exists() else (shutil.which("schemathesis") or "schemathesis")


@pytest.fixture(scope="module")
def federation(tmp_path_factory):
    fed = Federation(Layout(tmp_path_factory.mktemp("fuzz")),
                     ports={s: free_port() for s in SERVICES}, nats_port=free_port(),
                     nats_monitor_port=None, environment="test",
                     extra_env={"reidentify": {
                         "TESSERA_REIDENTIFY_UNLOCK_RATE_PER_HOUR": "100000"}})
    fed.start()
    yield fed
    fed.stop()


@pytest.mark.parametrize("service", SERVICES)
def test_openapi_all_checks(federation, service, tmp_path):
    token = token_factory(federation.layout)(service, lifetime_s=900, **CLAIMS[service])
    result = subprocess.run(
        [schemathesis_cli(), "run", f"{federation.url(service)}/openapi.json",
         "--checks", "all", "--max-examples", MAX_EXAMPLES, "--seed", "20261123",
         "--header", f"Authorization: Bearer {token}", "--workers", "1",
         "--no-color"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""})
    tail = "\n".join(result.stdout.splitlines()[-60:])
    assert result.returncode == 0, tail
