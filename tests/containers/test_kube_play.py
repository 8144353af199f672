"""The Kubernetes base's Deployments played with `podman kube play` until every slice is
ready over HTTPS, in production, with the base's issuer ConfigMap. Podman plays
Deployments, not StatefulSets, Services or Jobs, so NATS (three nodes under the names
the StatefulSet's pods have, with the base's own nats.conf and TLS), PostgreSQL and the
jobs run as containers on the same Podman network, and the Secrets are Podman secrets
(tessera-tls holding prepare's certificate). Run by `make compose-test`."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from deploy import compose
from deploy.cli import main as tessera
from services.common.subjects import SERVICES
from tests.deploy.test_kubernetes import rendered

pytestmark = [pytest.mark.container,
              pytest.mark.skipif(shutil.which("podman") is None, reason="no Podman")]

NETWORK = "tessera-kube"
NATS_URL = ",".join(f"nats://nats-{i}.nats:4222" for i in range(3))
TAG = "0.1.0"


def podman(*args: str, check: bool = True, timeout: float = 300):
    result = subprocess.run(["podman", *args], capture_output=True, text=True,
                            timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args[:3])}: {result.stderr[-2000:]}")
    return result


def secrets_of(root: Path, tls: Path) -> dict[str, dict[str, Path]]:
    """Each Secret the base names, key -> file (deploy/kubernetes/README.md's table)."""
    out = {}
    for name in SERVICES:
        files = {"db-url": root / "db" / f"{name}.url",
                 "nkey": root / "nats" / "secrets" / f"{name}.nk",
                 "nats-ca": tls / "ca.pem", "bus-key": root / "keys" / "bus" / f"{name}.pem",
                 "key-passphrase": root / "keys" / "passphrase" / name,
                 "events-key": root / "keys" / "events" / f"{name}.pem",
                 "bus-trust": root / "keys" / "bus" / "trust.json",
                 "issuer-jwks": root / "keys" / "issuer" / "jwks.json"}
        if name == "gateway":
            files |= {"gateway-hmac": root / "keys" / "gateway-hmac.key",
                      "log-public-key": root / "keys" / "reidentify-log-signing.pub.pem"}
        if name == "pseudonymiser":
            files |= {"pseudonym-person": root / "keys" / "pseudonym-person.key",
                      "pseudonym-household": root / "keys" / "pseudonym-household.key"}
        if name == "reidentify":
            files |= {"log-signing-key": root / "keys" / "reidentify-log-signing.pem",
                      "log-public-key": root / "keys" / "reidentify-log-signing.pub.pem"}
        out[f"tessera-{name}"] = files
    out["tessera-tls"] = {"tls.crt": root / "tls" / "server.pem",
                          "tls.key": root / "tls" / "server.key"}
    return out


def podman_secret(name: str, files: dict[str, Path], where: Path) -> None:
    """Podman 4's kube play writes a Secret's data into the volume as it is stored, not
    base64-decoded, so the secret holds the files' text."""
    document = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
                "data": {key: path.read_text() for key, path in files.items()}}
    path = where / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document))
    podman("secret", "rm", name, check=False)
    podman("secret", "create", name, str(path))


def run_job(image: str, env: dict[str, str], mounts: dict[Path, str], *args: str):
    flags = [f"--env={k}={v}" for k, v in env.items()]
    flags += [f"--volume={src}:{dst}:ro" for src, dst in mounts.items()]
    return podman("run", "--rm", f"--network={NETWORK}", *flags, image, *args, check=False,
                  timeout=180)


def ready(container: str) -> bool:
    """The image's own health check, over the slice's HTTPS."""
    return podman("exec", container, "tessera-slice", "health", check=False,
                  timeout=30).returncode == 0


@pytest.fixture(scope="module")
def infrastructure(tmp_path_factory):
    root = compose.prepare(tmp_path_factory.mktemp("kube"))
    conf, tls = root / "kube-nats", root / "kube-nats-tls"
    assert tessera(["nats-config", "--kubernetes", "--out", str(conf), "--secrets",
                    str(root / "nats" / "secrets"), "--tls", str(tls)]) == 0
    if os.geteuid() == 0:  # the NATS image's uid reads its configuration and key
        for path in (conf / "nats.conf", tls / "server.key"):
            os.chown(path, compose.NATS_UID, -1)
    (tls / "ca.pem").chmod(0o444)
    containers = ["kube-postgres", *(f"kube-nats-{i}" for i in range(3))]
    podman("rm", "-f", "-v", *containers, check=False)
    podman("network", "rm", "-f", NETWORK, check=False)
    podman("network", "create", NETWORK)
    try:
        podman("run", "-d", "--name=kube-postgres", f"--network={NETWORK}",
               "--network-alias=postgres",
               f"--volume={root / 'db' / 'superuser'}:/run/secrets/db-superuser:ro",
               f"--volume={root / 'db' / 'init.sql'}:/run/secrets/db-init:ro",
               "localhost/tessera-postgres:15")
        for i in range(3):
            # the StatefulSet's pod name and its headless Service's DNS name
            podman("run", "-d", f"--name=kube-nats-{i}", f"--network={NETWORK}",
                   f"--network-alias=nats-{i}.nats", f"--env=POD_NAME=nats-{i}",
                   f"--volume={conf / 'nats.conf'}:/etc/nats/nats.conf:ro",
                   f"--volume={tls}:/etc/nats/tls:ro", f"localhost/tessera-nats:{TAG}")
        deadline = time.monotonic() + 120
        provision = ["provision", "--nkey-file", "/run/secrets/nkey", "--replicas", "3"]
        while run_job(f"localhost/tessera-consent:{TAG}",
                      {"TESSERA_CONSENT_NATS_URL": NATS_URL,
                       "TESSERA_CONSENT_NATS_TLS_CA_FILE": "/run/secrets/nats-ca"},
                      {root / "nats" / "secrets" / "provisioner.nk": "/run/secrets/nkey",
                       tls / "ca.pem": "/run/secrets/nats-ca"}, *provision).returncode:
            assert time.monotonic() < deadline, "provisioning never succeeded"
            time.sleep(3)
        for name in SERVICES:
            deadline = time.monotonic() + 120
            while run_job(f"localhost/tessera-{name}:{TAG}",
                          {f"TESSERA_{name.upper()}_DATABASE_URL_FILE": "/run/secrets/db-url"},
                          {root / "db" / f"{name}.url": "/run/secrets/db-url"},
                          "migrate").returncode:
                assert time.monotonic() < deadline, f"{name} never migrated"
                time.sleep(3)
        yield root, tls
    finally:
        podman("rm", "-f", "-v", *containers, check=False)
        podman("network", "rm", "-f", NETWORK, check=False)


def test_every_deployment_plays_to_ready(infrastructure, tmp_path):
    root, tls = infrastructure
    for name, files in secrets_of(root, tls).items():
        podman_secret(name, files, tmp_path)
    registry = Path(__file__).resolve().parents[2] / "deploy" / "config" / "registry.yaml"
    documents = [{"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": "tessera-registry"},
                  "data": {"registry.yaml": registry.read_text()}}]
    for doc in rendered():
        if doc["kind"] == "ConfigMap":  # the issuer every slice reads
            documents.append(doc)
        if doc["kind"] != "Deployment":
            continue
        spec = doc["spec"]["template"]["spec"]
        for volume in spec["volumes"]:
            if "secret" in volume:  # Podman 4 dereferences it unset
                volume["secret"]["optional"] = False
        for container in spec["containers"]:
            container.pop("ports", None)  # Podman 4 publishes each on the host
        documents.append(doc)
    play = tmp_path / "play.yaml"
    play.write_text(yaml.safe_dump_all(documents))
    try:
        podman("kube", "play", f"--network={NETWORK}", str(play), timeout=600)
        pending = {name: f"{name}-pod-0-{name}" for name in SERVICES}
        deadline = time.monotonic() + 300
        while pending and time.monotonic() < deadline:
            for name, container in list(pending.items()):
                if ready(container):
                    del pending[name]
            time.sleep(2)
        assert not pending, {n: podman("logs", "--tail", "5", c, check=False).stderr[-800:]
                             for n, c in pending.items()}
    finally:
        podman("kube", "down", str(play), check=False, timeout=300)
        # the secrets and the volumes Podman wrote them into hold keys: none may stay
        names = list(secrets_of(root, tls))
        for name in names:
            podman("secret", "rm", name, check=False)
        podman("volume", "rm", "-f", *names, "tessera-registry", "tessera-reidentify-state", "state", "tmp", check=False)

