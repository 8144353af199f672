"""deploy/compose.yaml with Podman, as an operations team runs it: the images, PostgreSQL,
a three-node NATS cluster, the provisioning and migration jobs, the six slices in
production over HTTPS. A synthetic borough goes in through the published gateway while
one NATS node is killed, with tokens from the stand-in issuer; the cohort reidentify
serves must be the generator's flagged set, and one unlock must succeed through the
published port, each verified against prepare's CA. Run by `make compose-test` (it
builds the images)."""

from __future__ import annotations

import asyncio
import os
import shutil
import ssl
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
import pytest

from deploy import compose
from deploy.cli import token_factory
from deploy.demo import PURPOSE, RULE_ID, DemoApi, upload, wait_batches
from deploy.layout import Layout
from deploy.natsserver import free_port
from services.common.settings import DEVELOPMENT_ISSUER
from synthetic.borough import generate_borough
from synthetic.people import DISTRICTS

pytestmark = [pytest.mark.container,
              pytest.mark.skipif(shutil.which("podman") is None, reason="no Podman")]

REPO = Path(__file__).resolve().parents[2]
PROJECT = "tessera-test"
SLICES = ["gateway", "pseudonymiser", "linker", "scorer", "reidentify", "consent"]
SEED, HOUSEHOLDS = 11, 400


def compose_cmd(*args: str) -> list[str]:
    exe = Path(sys.executable).parent / "podman-compose"
    return [str(exe), "-p", PROJECT, "-f", str(REPO / "deploy" / "compose.yaml"), *args]


def run(*args: str, env: dict, timeout: float = 600, check: bool = True):
    result = subprocess.run(compose_cmd(*args), env=env, capture_output=True, text=True,
                            timeout=timeout, cwd=REPO / "deploy")
    if check and result.returncode != 0:
        raise AssertionError(f"podman-compose {' '.join(args)}: {result.returncode}\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def container(service: str) -> str:
    return f"{PROJECT}_{service}_1"


def ready_inside(service: str) -> bool:
    """The image's own health check, over the slice's HTTPS."""
    return subprocess.run(["podman", "exec", container(service), "tessera-slice", "health"],
                          capture_output=True, timeout=30).returncode == 0


def trusting(secrets: Path) -> ssl.SSLContext:
    """A client context that trusts only the CA prepare made for the slices."""
    return ssl.create_default_context(cafile=str(secrets / "tls" / "ca.pem"))


def eventually(check, timeout: float, what: str, interval: float = 1.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise AssertionError(f"{what} not within {timeout} s")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    secrets = compose.prepare(tmp_path_factory.mktemp("compose"))
    ports = {"gateway": free_port(), "reidentify": free_port()}
    env = {**os.environ, "TESSERA_SECRETS": str(secrets),
           "TESSERA_GATEWAY_PUBLISHED": str(ports["gateway"]),
           "TESSERA_REIDENTIFY_PUBLISHED": str(ports["reidentify"])}
    run("down", "-v", env=env, check=False)
    try:
        run("up", "-d", "postgres", "nats-1", "nats-2", "nats-3", env=env)
        eventually(lambda: subprocess.run(
            ["podman", "exec", container("postgres"), "pg_isready", "-h", "127.0.0.1"],
            capture_output=True).returncode == 0, 120, "PostgreSQL")
        # the cluster elects a JetStream leader before it takes streams
        eventually(lambda: run("run", "--rm", "provision", env=env, check=False)
                   .returncode == 0, 120, "provisioning", interval=3)
        for name in SLICES:
            run("run", "--rm", f"migrate-{name}", env=env)
        run("up", "-d", "--no-deps", *SLICES, env=env)
        for name in SLICES:
            eventually(lambda name=name: ready_inside(name), 180, f"{name} ready")
        yield {name: f"https://127.0.0.1:{port}" for name, port in ports.items()}, secrets
    finally:
        logs = run("logs", env=env, check=False)
        (tmp_path_factory.getbasetemp() / "compose.log").write_text(
            logs.stdout + logs.stderr)
        run("down", "-v", env=env, check=False, timeout=300)


def test_only_the_gateway_and_reidentify_are_published(deployment):
    urls, secrets = deployment
    for name in ("gateway", "reidentify"):
        assert httpx.get(f"{urls[name]}/readyz", timeout=10,
                         verify=trusting(secrets)).status_code == 200
        with pytest.raises(httpx.HTTPError):  # plain HTTP gets nothing
            httpx.get(f"{urls[name].replace('https:', 'http:')}/readyz", timeout=10)
    inspect = subprocess.run(
        ["podman", "ps", "--filter", f"label=io.podman.compose.project={PROJECT}",
         "--format", "{{.Names}} {{.Ports}}"], capture_output=True, text=True).stdout
    published = {line.split()[0] for line in inspect.splitlines() if "->" in line}
    assert published == {container("gateway"), container("reidentify")}
    # the other slices and the stores have no route out (their networks are internal)
    for name in ("pseudonymiser", "linker", "scorer", "consent", "postgres", "nats-1"):
        reach = subprocess.run(
            ["podman", "exec", container(name), "python3", "-c",
             "import socket; socket.create_connection(('192.0.2.1', 443), timeout=3)"],
            capture_output=True, text=True)
        assert reach.returncode != 0 and "unreachable" in reach.stderr.lower(), name


def pseudonyms_of(borough) -> dict[str, str]:
    """Truth person id -> the pseudonym the pseudonymiser gave (read as a test, from its
    PostgreSQL database inside the container)."""
    query = ("SELECT r.partner, r.dataset, r.local_id, p.pseudonym FROM identity_records r "
             "JOIN persons p ON p.id = r.person_id WHERE r.level = 'person'")
    out = subprocess.run(["podman", "exec", container("postgres"), "psql", "-U", "postgres",
                          "-d", "pseudonymiser", "-At", "-F", "\t", "-c", query],
                         capture_output=True, text=True, check=True).stdout
    found: dict[str, set[str]] = {}
    for line in out.splitlines():
        partner, dataset, local_id, pseudonym = line.split("\t")
        truth = borough.truth.records.get((partner, dataset, local_id))
        if truth and truth.person_id:
            found.setdefault(truth.person_id, set()).add(pseudonym)
    split = {p for p, s in found.items() if len(s) > 1}
    assert not split, f"{len(split)} true persons split over several pseudonyms"
    return {p: next(iter(s)) for p, s in found.items()}


def test_a_borough_flows_through_with_a_nats_node_killed(deployment):
    urls, secrets = deployment
    borough = generate_borough(SEED, HOUSEHOLDS, date.today())
    expected = len(borough.truth.flagged())
    assert expected > 0

    async def flow() -> tuple[list[dict], dict]:
        async with httpx.AsyncClient(timeout=60, verify=trusting(secrets)) as client:
            api = DemoApi(client, urls["gateway"], "https://scorer.unpublished",
                          urls["reidentify"],
                          token_factory(Layout(Path(secrets)), compose.ISSUER))
            uploading = asyncio.create_task(upload(api, borough, 250, lambda _: None))
            await asyncio.sleep(1.0)
            await asyncio.to_thread(subprocess.run, ["podman", "kill", container("nats-2")],
                                    check=True, capture_output=True)
            batches = await uploading
            await wait_batches(api, batches, 1.0, 600)
            cohort: list[dict] = []
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:  # profiles and flags settle after batches
                cohort = await api.cohort()
                if len(cohort) == expected:
                    break
                await asyncio.sleep(2)
            unlocked = await api.unlock(str(cohort[0]["pseudonym"])) if cohort else {}
            return cohort, unlocked

    cohort, unlocked = asyncio.run(flow())
    pseudonym_of = pseudonyms_of(borough)
    flagged = {pseudonym_of[p] for p in borough.truth.flagged()}
    assert {row["pseudonym"] for row in cohort} == flagged
    assert len(cohort) == expected
    assert unlocked.get("access_id")


def test_a_token_naming_the_development_issuer_is_refused(deployment):
    """The slices check the issuer's name as well as its key: signed with the same key,
    a token naming the development issuer gets 401 where the stand-in's gets the cohort
    (run after the borough, so there is one)."""
    urls, secrets = deployment
    claims = {"roles": ["caseworker"], "districts": list(DISTRICTS), "purposes": [PURPOSE]}
    for issuer, status in ((compose.ISSUER, 200), (DEVELOPMENT_ISSUER, 401)):
        token = token_factory(Layout(Path(secrets)), issuer)("reidentify", **claims)
        response = httpx.get(f"{urls['reidentify']}/v1/cohorts/{RULE_ID}",
                             headers={"Authorization": f"Bearer {token}"}, timeout=10,
                             verify=trusting(secrets))
        assert response.status_code == status, issuer
