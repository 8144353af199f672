"""The console's image as an operations team runs it: production, HTTPS, a read-only root
file system, serving its pages and the front-end packages it bundles, with no Node.js left
in it. Run by `make compose-test`, which builds the image."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import time

import httpx
import pytest

from deploy import tls
from deploy.natsserver import free_port

pytestmark = [pytest.mark.container,
              pytest.mark.skipif(shutil.which("podman") is None, reason="no Podman")]

IMAGE = "localhost/tessera-console:0.1.0"
SERVICES = {"gateway": "https://gateway.council.example",
            "reidentify": "https://reidentify.council.example"}


def podman(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args[:3])}: {result.stderr[-2000:]}")
    return result


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    certs = tls.ensure(tmp_path_factory.mktemp("tls"))
    # read by the image's uid 10001 through the bind mount
    certs.cert.parent.chmod(0o755)
    for path in (certs.cert, certs.key):
        path.chmod(0o644)
    port = free_port()
    name = f"tessera-console-test-{port}"
    podman("run", "-d", f"--name={name}", "--read-only", "--cap-drop=ALL",
           f"-p=127.0.0.1:{port}:8000", f"-v={certs.cert.parent}:/run/tls:ro,Z",
           "-e=TESSERA_CONSOLE_ENVIRONMENT=production",
           "-e=TESSERA_CONSOLE_TLS_CERT_FILE=/run/tls/server.pem",
           "-e=TESSERA_CONSOLE_TLS_KEY_FILE=/run/tls/server.key",
           "-e=TESSERA_CONSOLE_ISSUER_URL=https://login.council.example/realms/tessera",
           f"-e=TESSERA_CONSOLE_SERVICE_URLS={json.dumps(SERVICES)}", IMAGE)
    base = f"https://127.0.0.1:{port}"
    trust = ssl.create_default_context(cafile=str(certs.ca))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", verify=trust).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                logs = podman("logs", name, check=False)
                raise AssertionError(f"console not ready:\n{logs.stdout}{logs.stderr}")
            time.sleep(0.5)
        yield name, httpx.Client(base_url=base, verify=trust, timeout=10)
    finally:
        podman("rm", "-f", name, check=False)


def test_pages_and_bundled_assets_are_served_over_https(console):
    _, client = console
    page = client.get("/")
    assert page.status_code == 200
    assert "govuk-template" in page.text
    for asset in ("/assets/govuk/govuk-frontend.min.js", "/assets/build/console.css",
                  "/assets/oidc-client-ts/oidc-client-ts.min.js"):
        assert client.get(asset).status_code == 200, asset
    config = client.get("/config.json").json()
    assert config["issuer"] == "https://login.council.example/realms/tessera"


def test_the_image_runs_python_alone_and_healthy(console):
    name, _ = console
    assert podman("exec", name, "tessera-slice", "health", check=False).returncode == 0
    assert podman("exec", name, "sh", "-c", "command -v node npm", check=False).returncode != 0
    user = podman("exec", name, "id", "-u").stdout.strip()
    assert user == "10001"
