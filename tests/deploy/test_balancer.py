"""The HAProxy configuration `tessera run --replicas` writes (deploy/balancer.py) is one
HAProxy accepts, checks each replica's /readyz, and names every replica of every pool;
every slice scales; and with two pseudonymiser replicas behind it the writer's routes
reach the linkage writer, and the next one once it is killed."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import time

import httpx
import pytest

from deploy import balancer, tls
from deploy.cli.context import Fail
from deploy.cli.run import federation_for
from deploy.federation import SCALABLE, WRITERS
from deploy.natsserver import free_port
from services.common.db import run_migrations
from services.common.subjects import SERVICES
from services.pseudonymiser.roles import WRITER_ROUTES
from services.pseudonymiser.settings import PseudonymiserSettings
from tests.pseudonymiser.conftest import MIGRATIONS
from tests.pseudonymiser.replicas import (
    other_services,
    replica_settings,
    start_replica,
)

POOLS = [balancer.Pool("reidentify", 18004, (18104, 18105)),
         balancer.Pool("gateway", 18000, (18100, 18101)),
         balancer.Pool("pseudonymiser", 18001, (18106, 18107), *WRITERS["pseudonymiser"])]


@pytest.mark.parametrize("secure", [False, True])
def test_haproxy_accepts_the_configuration(tmp_path, secure):
    conf = tmp_path / "haproxy.cfg"
    terminated = (balancer.terminate(tmp_path / "haproxy", tls.ensure(tmp_path / "tls"))
                  if secure else None)
    conf.write_text(balancer.render(POOLS, tls=secure, terminated=terminated))
    checked = subprocess.run([balancer.binary(), "-c", "-f", str(conf)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    text = conf.read_text()
    assert "option httpchk GET /readyz" in text
    for pool in POOLS:
        assert f"bind 127.0.0.1:{pool.port}" in text
        for i, port in enumerate(pool.replicas, start=1):
            assert f"server {pool.service}-{i} 127.0.0.1:{port} check" in text
    assert ("retry-on conn-failure" in text.split("frontend")[0]) is not secure
    # the writer's routes, each to the replicas whose /readyz names the writer
    for method, path in WRITER_ROUTES:
        assert (f"{{ method {method} }} {{ path_reg {balancer.path_regex(path)} }}"
                in text)
    assert "http-check expect string '\"role\":\"writer\"'" in text
    if secure:  # the pool whose routes are read is terminated, the others passed through
        assert f"bind 127.0.0.1:18001 ssl crt {terminated.certificate}" in text
        assert terminated.certificate.stat().st_mode & 0o077 == 0
        assert "bind 127.0.0.1:18000\n" in text


def test_replicas_scale_every_slice(tmp_path):
    fed = federation_for(tmp_path, replicas=3, environ={})
    assert set(SCALABLE) == set(SERVICES)
    assert fed.instances("reidentify") == ["reidentify", "reidentify-2", "reidentify-3"]
    names = fed.instances("pseudonymiser")
    assert names == ["pseudonymiser", "pseudonymiser-2", "pseudonymiser-3"]
    ports = {fed.instance_port(i) for s in SCALABLE for i in fed.instances(s)}
    assert len(ports) == 3 * len(SCALABLE)
    assert not ports & set(fed.ports.values())  # the usual ports are the balancer's
    # each pseudonymiser replica under its own name, naming where it answers
    envs = [fed._env(name) for name in names]
    assert [e["TESSERA_PSEUDONYMISER_REPLICA"] for e in envs] == names
    assert [e["TESSERA_PSEUDONYMISER_REPLICA_URL"] for e in envs] == [
        fed.instance_url(name) for name in names]
    with pytest.raises(Fail, match="at least 1"):
        federation_for(tmp_path, replicas=0, environ={})


def bearer(nats_env, *roles: str) -> dict:
    return {"Authorization": "Bearer " + nats_env.token("pseudonymiser", subject="officer-1",
                                                        roles=list(roles))}


async def writers_answer(http: httpx.AsyncClient, nats_env) -> list[int]:
    """Each of the writer's routes through the balancer, as a linkage officer or an
    admin: the writer answers 404 (no such pair), 200, 200; a standby would say 503."""
    officer, admin = bearer(nats_env, "linkage-officer"), bearer(nats_env, "admin")
    return [(await http.post("/v1/review/no-such-pair", json={"decision": "match"},
                             headers=officer)).status_code,
            (await http.get("/v1/linkage/model", headers=officer)).status_code,
            (await http.post("/v1/retention/sweep", headers=admin)).status_code]


WRITER_ANSWERS = [404, 200, 200]


@pytest.mark.parametrize("secure", [False, True])
async def test_the_writer_routes_reach_the_writer_and_follow_it(nats_env, tmp_path, secure):
    """Under TLS the balancer ends the connections to read the paths, and makes new ones
    to the replicas, checking their certificates."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'pseudonymiser.db'}"
    run_migrations(MIGRATIONS, url)
    settings = replica_settings(nats_env, url)
    bundle = tls.ensure(tmp_path / "tls") if secure else None
    verify = ssl.create_default_context(cafile=str(bundle.ca)) if secure else None
    if secure:
        settings |= {"tls_cert_file": bundle.cert, "tls_key_file": bundle.key}
    lease = PseudonymiserSettings.model_fields
    ttl, renew = lease["lease_ttl_s"].default, lease["lease_renew_s"].default
    async with other_services(nats_env):
        a = start_replica(settings, "a", tmp_path, verify=verify)
        b = None
        haproxy = None
        try:
            assert (await asyncio.to_thread(a.wait_ready))["role"] == "writer"
            b = start_replica(settings, "b", tmp_path, verify=verify)
            assert (await asyncio.to_thread(b.wait_ready))["role"] == "standby"
            port = free_port()
            while port in (a.port, b.port):
                port = free_port()
            pool = balancer.Pool("pseudonymiser", port, (a.port, b.port),
                                 *WRITERS["pseudonymiser"])
            haproxy = balancer.start(
                tmp_path / "haproxy" / "haproxy.cfg", [pool], tls=secure,
                terminated=balancer.terminate(tmp_path / "haproxy", bundle) if secure
                else None, log_file=tmp_path / "haproxy.log")
            scheme = "https" if secure else "http"
            async with httpx.AsyncClient(base_url=f"{scheme}://127.0.0.1:{port}",
                                         timeout=30, verify=verify or True) as http:
                # once HAProxy's checks have found the writer (two in a row)
                await until_the_writer_answers(http, nats_env, 30)
                answers = [await writers_answer(http, nats_env) for _ in range(20)]
                assert answers == [WRITER_ANSWERS] * 20
                # the read routes go round both, the standby too
                reads = [(await http.get("/v1/review", headers=bearer(
                    nats_env, "linkage-officer"))).status_code for _ in range(4)]
                assert reads == [200] * 4
                async with httpx.AsyncClient(base_url=b.url, timeout=30,
                                             verify=verify or True) as direct:
                    assert (await writers_answer(direct, nats_env)) == [503] * 3

                a.kill()
                killed = time.monotonic()
                # a standby takes the lease ttl after the writer's last renewal, looking
                # every renew; then it rebuilds or catches up its index, and HAProxy's
                # checks see it: a generous bound on all of that
                await until_the_writer_answers(http, nats_env, ttl + 2 * renew + 60)
                print(f"\nwriter routes answered by the new writer {time.monotonic() - killed:.1f} s "
                      f"after kill -9 of the old (lease ttl {ttl} s, renewed every {renew} s)")
                assert b.role() == "writer"
                answers = [await writers_answer(http, nats_env) for _ in range(20)]
                assert answers == [WRITER_ANSWERS] * 20
        finally:
            if haproxy is not None:
                haproxy.terminate()
                haproxy.wait(timeout=15)
            for replica in (a, b):
                if replica is not None:
                    replica.stop()


async def until_the_writer_answers(http: httpx.AsyncClient, nats_env, timeout: float) -> None:
    """Poll until the writer answers the writer's routes through the balancer; meanwhile
    a refusal is a 503 (HAProxy's, or a standby's), nothing else."""
    deadline = time.monotonic() + timeout
    while (answer := await writers_answer(http, nats_env)) != WRITER_ANSWERS:
        assert set(answer) <= {503, *WRITER_ANSWERS}, answer
        assert time.monotonic() < deadline, f"no writer answered: {answer}"
        await asyncio.sleep(0.2)
