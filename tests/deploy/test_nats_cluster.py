"""A three-node NATS cluster from `tessera nats-config`: TLS on every connection and route,
services known by NKey (a password gets nowhere), streams replicated three times by
`tessera provision --replicas 3`, and a node killed mid-stream loses nothing and
duplicates nothing."""

from __future__ import annotations

import asyncio
import os
import signal

import nats
import nats.errors
import pytest

from deploy import natscluster, natsserver
from deploy.cli import main
from services.common import bus, subjects
from services.common.subjects import PROVISIONER, inbox_prefix
from tests.support import CLUSTER_NODES as NODES
from tests.support import NatsCluster


@pytest.fixture
def cluster(tmp_path):
    """Three real nats-server processes on free ports, configured as a deployment's."""
    made = NatsCluster(tmp_path)
    try:
        made.start()
        yield made.urls, made.procs, made.secrets, made.ca
    finally:
        made.kill_all()


async def _connect(urls, service, secrets, ca):
    return await bus.connect(url=",".join(urls.values()), service=service, user="",
                             password="", nkey_file=secrets / f"{service}.nk", tls_ca_file=ca)


async def test_the_cluster_replicates_streams_and_survives_a_node(cluster):
    urls, procs, secrets, ca = cluster
    joined = ",".join(urls.values())
    # the CLI, as an operator runs it; the cluster elects its meta leader first
    for attempt in range(40):
        try:
            assert await asyncio.to_thread(main, [
                "provision", "--url", joined, "--nkey-file", str(secrets / "provisioner.nk"),
                "--replicas", "3", "--tls-ca", str(ca)]) == 0
            break
        except Exception:
            if attempt == 39:
                raise
            await asyncio.sleep(0.5)

    gateway = await _connect(urls, "gateway", secrets, ca)
    admin = await _connect(urls, PROVISIONER, secrets, ca)  # only it may ask about streams
    try:
        js, api = gateway.jetstream(), admin.jetstream()
        info = await api.stream_info(subjects.EVENTS.stream)
        assert info.config.num_replicas == 3
        assert len(info.cluster.replicas or []) == 2  # the leader and two copies

        sent = 0
        under_way = asyncio.Event()

        async def publish(n: int) -> None:
            """Each message until it is acknowledged, as the gateway's publisher does; a
            repeat after a lost acknowledgement is dropped by its message id."""
            nonlocal sent
            for i in range(n):
                for _ in range(100):  # while a node is lost the stream re-elects a leader
                    try:
                        await js.publish("tessera.ingest.events.d1", b"{}",
                                         headers={bus.MSG_ID: f"m-{i}"}, timeout=2)
                        break
                    except (nats.errors.TimeoutError, nats.js.errors.Error,
                            nats.errors.NoRespondersError):
                        await asyncio.sleep(0.1)
                else:
                    raise AssertionError(f"message {i} never stored")
                sent = i + 1
                if sent == 300:
                    under_way.set()

        leader = (await api.stream_info(subjects.EVENTS.stream)).cluster.leader
        publishing = asyncio.create_task(publish(1000))
        await under_way.wait()
        os.killpg(procs[leader].pid, signal.SIGKILL)  # the stream's leader, mid-stream
        await asyncio.to_thread(procs[leader].wait)
        await publishing
        for _ in range(100):  # the survivors answer once a new leader is elected
            try:
                stored = (await api.stream_info(subjects.EVENTS.stream)).state.messages
                break
            except nats.errors.TimeoutError:
                await asyncio.sleep(0.1)
        assert stored == sent == 1000
    finally:
        await gateway.close()
        await admin.close()


async def test_a_password_or_another_key_gets_nowhere(cluster):
    urls, _, secrets, ca = cluster
    with pytest.raises((nats.errors.NoServersError, nats.errors.Error, OSError)):
        await nats.connect(servers=list(urls.values()), user="gateway", password="guess",
                           tls=bus.tls_context(ca), max_reconnect_attempts=0,
                           connect_timeout=2, allow_reconnect=False)
    # a client that does not know the cluster's CA does not get a connection either
    with pytest.raises((nats.errors.NoServersError, nats.errors.Error, OSError)):
        await nats.connect(servers=list(urls.values()), max_reconnect_attempts=0,
                           nkeys_seed=str(secrets / "gateway.nk"), connect_timeout=2,
                           allow_reconnect=False)
    # the scorer's key is the scorer: it may not publish identity
    errors = []

    async def error_cb(exc):
        errors.append(str(exc))

    scorer = await nats.connect(servers=list(urls.values()), error_cb=error_cb,
                                nkeys_seed=str(secrets / "scorer.nk"), tls=bus.tls_context(ca),
                                inbox_prefix=inbox_prefix("scorer"))
    try:
        await scorer.publish("tessera.ingest.identity.d1", b"{}")
        await scorer.flush()
        for _ in range(50):
            if errors:
                break
            await asyncio.sleep(0.05)
        assert any("permissions violation" in e.lower() for e in errors)
    finally:
        await scorer.close()


def test_seeds_are_kept_and_configs_hold_no_seed(tmp_path):
    secrets = tmp_path / "secrets"
    first = natscluster.ensure_credentials(secrets)
    assert natscluster.ensure_credentials(secrets) == first
    assert set(first.nkeys) == set(natscluster.USERS) and PROVISIONER in first.nkeys
    assert all(key.startswith("U") for key in first.nkeys.values())
    assert main(["nats-config", "--out", str(tmp_path / "conf"), "--secrets",
                 str(secrets)]) == 0
    for node in NODES:
        text = (tmp_path / "conf" / f"{node}.conf").read_text()
        assert "nkey:" in text and "password: \"" in text  # the routes' password only
        assert not any(seed.read_text().strip() in text for seed in secrets.glob("*.nk"))
        assert "http:" not in text and "monitor" not in text
        # the JetStream store is encrypted, with the key kept beside the seeds
        assert "cipher: chachapoly" in text and f'key: "{first.jetstream_key}"' in text
        assert len(first.jetstream_key) == 64
        assert oct((tmp_path / "conf" / f"{node}.conf").stat().st_mode)[-3:] == "600"


def test_the_statefulset_config_is_one_nats_server_accepts(tmp_path):
    """One file for every pod of a StatefulSet, its server name from $POD_NAME."""
    import subprocess

    assert main(["nats-config", "--kubernetes", "--out", str(tmp_path / "k8s"),
                 "--secrets", str(tmp_path / "secrets")]) == 0
    conf = tmp_path / "k8s" / "nats.conf"
    text = conf.read_text()
    assert "server_name: $POD_NAME" in text
    assert all(f"@nats-{i}.nats:6222" in text for i in range(3))
    checked = subprocess.run([natsserver.binary(), "-c", str(conf), "-t"],
                             env={"POD_NAME": "nats-1"}, capture_output=True, text=True)
    assert checked.returncode == 0 and "is valid" in checked.stdout + checked.stderr
