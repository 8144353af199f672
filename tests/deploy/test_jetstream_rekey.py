"""`tessera jetstream-rekey`: the JetStream store re-encrypted under a new key with every
message and every consumer's position kept, the old key opening nothing afterwards, on
one server and on a three-node cluster rolled one node at a time. And why the rotation
does not lean on nats-server's ``prev_encryption_key``: the server's own behaviour with
it, pinned so that a release that changes it is noticed."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess

import httpx
import nats
import pytest

from deploy import natscluster, natsconf, natsrekey, natsserver, tls
from deploy.cli import main
from services.common import bus
from services.common.subjects import PROVISIONER, durable_name, streams
from tests.support import close, start_nats_async

CHANNELS = {c.stream: c for c in streams()}
# (publisher, subject, stream, messages, bytes of each): two interest streams with durable
# consumers, and a stream kept by limits whose snapshot takes several chunks
TRAFFIC = [("gateway", "tessera.ingest.events.d1", "INGEST_EVENTS", 60, 200),
           ("consent", "tessera.consent.decisions", "CONSENT_DECISIONS", 30, 200),
           ("reidentify", "tessera.audit.heads", "AUDIT_HEADS", 25, 16_000)]
# (stream, consuming service, taken, acknowledged): a durable left part-way
ACKED = [("INGEST_EVENTS", "linker", 20, 12), ("CONSENT_DECISIONS", "scorer", 10, 5),
         ("CONSENT_DECISIONS", "pseudonymiser", 30, 30)]


def payload(marker: bytes, stream: str, i: int, size: int = 200) -> bytes:
    """A message with the marker, padded with random bytes (which do not compress)."""
    return b"PLAINTEXT-" + marker + f"-{stream}-{i}-".encode() + os.urandom(size)


async def fill(connect, marker: bytes) -> None:
    """The traffic published as each stream's publisher, then durables part-way through
    it (taken, some acknowledged, the rest awaiting acknowledgement)."""
    for service, subject, stream, count, size in TRAFFIC:
        nc = await connect(service)
        try:
            js = nc.jetstream()
            for i in range(count):
                await js.publish(subject, payload(marker, stream, i, size))
        finally:
            await close(nc)
    for stream, service, taken, acked in ACKED:
        nc = await connect(service)
        try:
            psub = await nc.jetstream().pull_subscribe_bind(
                durable=durable_name(CHANNELS[stream], service), stream=stream)
            msgs = await psub.fetch(taken, timeout=5)
            assert len(msgs) == taken
            for msg in msgs[:acked]:
                await msg.ack_sync()
        finally:
            await close(nc)


async def contents(nc) -> dict:
    """Every stream's state, every consumer's position and a digest of every message
    held (sequence, subject, data), read as the provisioner."""
    described = await natsrekey.describe(nc)
    for name, stream in described.items():
        digest = hashlib.sha256()
        state = stream["state"]
        for seq in range(state["first_seq"], state["last_seq"] + 1) if state["messages"] \
                else ():
            try:
                got = await natsrekey.api(nc, f"STREAM.MSG.GET.{name}", {"seq": seq})
            except natsrekey.RekeyError:
                continue  # removed (acknowledged by every consumer of an interest stream)
            digest.update(f"{seq} {got['message']['subject']} ".encode())
            digest.update(got["message"].get("data", "").encode())
        stream["digest"] = digest.hexdigest()
    return described


def raw_hits(root, marker: bytes) -> int:
    """Files under ``root`` whose bytes hold the marker (a count, never the bytes)."""
    return sum(marker in p.read_bytes() for p in root.rglob("*") if p.is_file())


def store_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


async def provisioner(env):
    return await bus.connect(url=env.url, service=PROVISIONER, user=PROVISIONER,
                             password=env.passwords[PROVISIONER])


async def test_rotation_keeps_every_message_and_position_and_retires_the_old_key(tmp_path):
    env = await start_nats_async(tmp_path)
    layout, marker = env.layout, secrets.token_hex(8).encode()
    old_key = layout.jetstream_key.read_text().strip()
    try:
        await fill(env.connect, marker)
        nc = await provisioner(env)
        try:
            before = await contents(nc)
        finally:
            await close(nc)
    finally:
        env.stop()
    assert sum(s["state"]["messages"] for s in before.values()) > 100
    assert before["INGEST_EVENTS"]["consumers"][durable_name(
        CHANNELS["INGEST_EVENTS"], "linker")]["ack_floor"]["stream_seq"] == 12

    # it refuses while the server runs
    running = natsserver.start(layout.nats_conf, env.port, layout.logs / "nats.log")
    try:
        assert await asyncio.to_thread(main, ["--var", str(tmp_path), "jetstream-rekey",
                                              "local"]) == 1
    finally:
        natsrekey.stop(running)
    assert layout.jetstream_key.read_text().strip() == old_key

    assert await asyncio.to_thread(main, ["--var", str(tmp_path), "jetstream-rekey",
                                          "local"]) == 0
    key = layout.jetstream_key.read_text().strip()
    assert key != old_key and len(key) == 64
    assert oct(layout.jetstream_key.stat().st_mode)[-3:] == "600"
    conf = layout.nats_conf.read_text()
    assert f'key: "{key}"' in conf and old_key not in conf
    # nothing of the old store or the old key is left beside the new
    assert sorted(p.name for p in layout.keys.glob("jetstream*")) == ["jetstream.key"]
    assert sorted(p.name for p in layout.nats_dir.iterdir() if "jetstream" in p.name) == \
        ["jetstream"]
    files = store_files(layout.jetstream)
    assert any(f.endswith(".blk") for f in files) and any("/obs/" in f for f in files)
    assert raw_hits(layout.jetstream, marker) == 0

    # restarted with the configuration as `tessera run` writes it: everything is there
    proc = natsserver.start(layout.nats_conf, env.port, layout.logs / "nats.log")
    try:
        nc = await provisioner(env)
        try:
            assert await contents(nc) == before
            got = await natsrekey.api(nc, "STREAM.MSG.GET.AUDIT_HEADS", {"seq": 1})
            assert marker in base64.b64decode(got["message"]["data"])
        finally:
            await close(nc)
        # the linker's durable goes on from where it was: the next message it is given
        # is the first it had not been given
        linker = await env.connect("linker")
        try:
            psub = await linker.jetstream().pull_subscribe_bind(
                durable=durable_name(CHANNELS["INGEST_EVENTS"], "linker"),
                stream="INGEST_EVENTS")
            (msg,) = await psub.fetch(1, timeout=5)
            assert msg.metadata.sequence.stream == 21
        finally:
            await close(linker)
    finally:
        natsrekey.stop(proc)

    # the old key opens nothing: the server starts, reads no stream and says why ...
    old_conf = tmp_path / "old-key.conf"
    natsconf.write(old_conf, port=env.port, monitor_port=None, store_dir=layout.jetstream,
                   passwords=env.passwords, jetstream_key=old_key)
    old_log = tmp_path / "old-key.log"
    proc = natsserver.start(old_conf, env.port, old_log)
    try:
        nc = await provisioner(env)
        try:
            assert await natsrekey.stream_names(nc) == []
        finally:
            await close(nc)
    finally:
        natsrekey.stop(proc)
    assert "Error decrypting our stream metafile: unable to recover keys" in \
        old_log.read_text()
    # ... and changes nothing: the new key still opens it all
    proc = natsserver.start(layout.nats_conf, env.port, layout.logs / "nats.log")
    try:
        nc = await provisioner(env)
        try:
            after = await contents(nc)
        finally:
            await close(nc)
    finally:
        natsrekey.stop(proc)
    linker_durable = durable_name(CHANNELS["INGEST_EVENTS"], "linker")
    assert after["INGEST_EVENTS"]["consumers"][linker_durable]["delivered"][
        "stream_seq"] == 21  # the one message fetched above
    assert {s: d["state"] for s, d in after.items()} == \
        {s: d["state"] for s, d in before.items()}


async def test_a_failed_rotation_leaves_the_store_and_key_as_they_were(tmp_path, monkeypatch):
    env = await start_nats_async(tmp_path)
    layout, marker = env.layout, secrets.token_hex(8).encode()
    old_key = layout.jetstream_key.read_text().strip()
    try:
        await fill(env.connect, marker)
    finally:
        env.stop()
    files = {f: (layout.jetstream / f).read_bytes() for f in store_files(layout.jetstream)}
    copied = []
    real = natsrekey.copy_stream

    async def fails_on_the_third(old, new, name):
        if len(copied) == 2:
            raise natsrekey.RekeyError("interrupted")
        copied.append(name)
        return await real(old, new, name)

    monkeypatch.setattr(natsrekey, "copy_stream", fails_on_the_third)
    assert await asyncio.to_thread(main, ["--var", str(tmp_path), "jetstream-rekey",
                                          "local"]) == 1
    assert layout.jetstream_key.read_text().strip() == old_key
    assert old_key in layout.nats_conf.read_text()
    assert {f: (layout.jetstream / f).read_bytes() for f in store_files(layout.jetstream)} \
        == files
    assert not natsrekey.aside(layout.jetstream).exists()


async def test_nats_server_prev_key_keeps_only_streams_with_messages_and_no_durable(tmp_path):
    """Why the rotation copies streams by snapshot and restore: started with the old key
    as ``prev_encryption_key``, nats-server re-encrypts each stream holding messages, but
    drops every stream never written to (its state file does not open) and every durable
    consumer (its state does not open either)."""
    env = await start_nats_async(tmp_path)
    layout = env.layout
    old_key = layout.jetstream_key.read_text().strip()
    try:
        await fill(env.connect, secrets.token_hex(8).encode())
        nc = await provisioner(env)
        try:
            before = await natsrekey.describe(nc)
        finally:
            await close(nc)
    finally:
        env.stop()
    key = secrets.token_hex(32)
    conf = layout.nats_conf.read_text().replace(
        f'key: "{old_key}"', f'key: "{key}"\n  prev_encryption_key: "{old_key}"')
    layout.nats_conf.write_text(conf)
    log = tmp_path / "prev-key.log"
    proc = natsserver.start(layout.nats_conf, env.port, log)
    try:
        nc = await provisioner(env)
        try:
            after = await natsrekey.describe(nc)
        finally:
            await close(nc)
    finally:
        natsrekey.stop(proc)
    written = {s: d["state"]["messages"] for s, d in before.items() if d["state"]["last_seq"]}
    assert set(written) == {stream for _, _, stream, _, _ in TRAFFIC} and len(before) > 20
    assert {s: d["state"]["messages"] for s, d in after.items()} == written
    assert sum(len(d["consumers"]) for d in before.values()) > 20
    assert sum(len(d["consumers"]) for d in after.values()) == 0
    text = log.read_text()
    assert "error creating store for consumer: cipher: message authentication failed" in text
    assert 'Error recreating stream "PROFILES": corrupt state file' in text


NODES = ["nats-1", "nats-2", "nats-3"]


class Cluster:
    """Three real nats-server processes from `tessera nats-config`'s files, with TLS, on
    free ports, each with its own store."""

    def __init__(self, root):
        self.root = root
        self.secrets = root / "secrets"
        credentials = natscluster.ensure_credentials(self.secrets)
        self.ca = tls.ensure(root / "tls", ("127.0.0.1", "localhost"), client_auth=True)
        self.client = {n: natsserver.free_port() for n in NODES}
        route = {n: natsserver.free_port() for n in NODES}
        self.procs: dict[str, subprocess.Popen] = {}
        (root / "conf").mkdir()
        for node in NODES:
            natscluster.write_private(self.conf(node), natscluster.render_node(
                node, NODES, credentials, store_dir=str(self.store(node)),
                client_port=self.client[node], cluster_port=route[node], host="127.0.0.1",
                route_hosts={n: f"127.0.0.1:{route[n]}" for n in NODES},
                tls=self.ca).encode())

    def conf(self, node):
        return self.root / "conf" / f"{node}.conf"

    def store(self, node):
        return self.root / "store" / node

    @property
    def url(self) -> str:
        return ",".join(f"nats://127.0.0.1:{p}" for p in self.client.values())

    def start(self, node) -> None:
        self.procs[node] = natsserver.start(self.conf(node), self.client[node],
                                            self.root / f"{node}.log")

    def stop(self, node) -> None:
        natsrekey.stop(self.procs.pop(node))

    def kill_all(self) -> None:
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        self.procs.clear()

    async def connect(self, service: str):
        return await bus.connect(url=self.url, service=service, user="", password="",
                                 nkey_file=self.secrets / f"{service}.nk",
                                 tls_ca_file=self.ca.ca)

    def tool(self, *args: str) -> list[str]:
        return ["jetstream-rekey", *args, "--url", self.url, "--tls-ca", str(self.ca.ca),
                "--nkey-file", str(self.secrets / f"{PROVISIONER}.nk")]


async def contents_of(cluster) -> dict:
    nc = await cluster.connect(PROVISIONER)
    try:
        for attempt in range(60):  # a restarted cluster elects its leaders first
            try:
                return await contents(nc)
            except (natsrekey.RekeyError, nats.errors.TimeoutError):
                if attempt == 59:
                    raise
                await asyncio.sleep(0.5)
    finally:
        await close(nc)


@pytest.fixture
def cluster(tmp_path):
    made = Cluster(tmp_path)
    try:
        yield made
    finally:
        made.kill_all()


def replicas(cluster, monitor: dict[str, int]) -> dict:
    """Each node's own copy of every stream (counts and sequences) and every consumer
    (delivered, acknowledged), from its monitoring port, which only this test opens."""
    out = {}
    for node in NODES:
        jsz = httpx.get(f"http://127.0.0.1:{monitor[node]}/jsz?streams=1&consumers=1",
                        timeout=5).json()
        out[node] = {
            s["name"]: (natsrekey.stream_state(s), sorted(
                (c["name"], c["delivered"]["stream_seq"], c["ack_floor"]["stream_seq"])
                for c in s.get("consumer_detail") or []))
            for account in jsz.get("account_details") or []
            for s in account.get("stream_detail") or []}
    return out


async def test_a_cluster_rotated_in_one_window_keeps_every_copy(cluster, tmp_path):
    marker = secrets.token_hex(8).encode()
    monitor = {n: natsserver.free_port() for n in NODES}
    for node in NODES:  # to read each node's own copies; off in a deployment
        text = cluster.conf(node).read_text()
        natscluster.write_private(cluster.conf(node), (
            f'http: "127.0.0.1:{monitor[node]}"\n' + text).encode())
        cluster.start(node)
    old_key = natscluster.ensure_credentials(cluster.secrets).jetstream_key
    for attempt in range(60):  # the nodes elect a meta leader first
        try:
            assert await asyncio.to_thread(main, [
                "provision", "--url", cluster.url, "--replicas", "3", "--tls-ca",
                str(cluster.ca.ca), "--nkey-file", str(cluster.secrets / "provisioner.nk")]) == 0
            break
        except Exception:
            if attempt == 59:
                raise
            await asyncio.sleep(0.5)
    await fill(cluster.connect, marker)
    before = await contents_of(cluster)
    backup = tmp_path / "backup"

    # the slices are stopped; the streams are backed up, sealed under the new key
    assert await asyncio.to_thread(main, cluster.tool(
        "backup", "--secrets", str(cluster.secrets), "--backup", str(backup))) == 0
    assert oct(backup.stat().st_mode)[-3:] == "700" and raw_hits(backup, marker) == 0
    # the stream of large messages went over in several acknowledged chunks
    assert max(p.stat().st_size for p in backup.iterdir()) > 2 * natsrekey.CHUNK
    new_key = natsrekey.upcoming_key(cluster.secrets)

    # every node stopped, given the new key and an empty store, started again
    for node in NODES:
        cluster.stop(node)
    for node in NODES:
        assert await asyncio.to_thread(main, [
            "jetstream-rekey", "node", "--config", str(cluster.conf(node)), "--store-dir",
            str(cluster.store(node)), "--secrets", str(cluster.secrets)]) == 0
        assert natsrekey.config_key(cluster.conf(node)) == new_key
        cluster.start(node)
    assert await asyncio.to_thread(main, cluster.tool(
        "restore", "--secrets", str(cluster.secrets), "--backup", str(backup))) == 0
    assert not backup.exists()
    assert await asyncio.to_thread(main, [
        "jetstream-rekey", "finish", "--secrets", str(cluster.secrets),
        *(f"--store-dir={cluster.store(n)}" for n in NODES)]) == 0

    assert (cluster.secrets / "jetstream.key").read_text().strip() == new_key != old_key
    assert sorted(p.name for p in cluster.secrets.glob("jetstream*")) == ["jetstream.key"]
    after = await contents_of(cluster)
    # every message, and what each consumer acknowledged; what a consumer had been given
    # and not acknowledged is given again (a clustered restore keeps no more)
    assert {s: (d["config"], d["state"], d["digest"]) for s, d in after.items()} == \
        {s: (d["config"], d["state"], d["digest"]) for s, d in before.items()}
    assert natsrekey.differences(before, after, redelivering=True) == []
    linker = after["INGEST_EVENTS"]["consumers"][durable_name(CHANNELS["INGEST_EVENTS"],
                                                              "linker")]
    assert (linker["ack_floor"]["stream_seq"], linker["delivered"]["stream_seq"],
            linker["num_pending"]) == (12, 12, 48)
    nc = await cluster.connect("linker")
    try:
        psub = await nc.jetstream().pull_subscribe_bind(
            durable=durable_name(CHANNELS["INGEST_EVENTS"], "linker"), stream="INGEST_EVENTS")
        (msg,) = await psub.fetch(1, timeout=10)
        assert msg.metadata.sequence.stream == 13  # the first it had not acknowledged
    finally:
        await close(nc)
    # every node holds the same copy of each stream and consumer as the others
    copies = replicas(cluster, monitor)
    assert copies["nats-1"] == copies["nats-2"] == copies["nats-3"]
    assert len(copies["nats-1"]) == len(before)
    for node in NODES:
        assert not natsrekey.aside(cluster.store(node)).exists()
        assert raw_hits(cluster.store(node), marker) == 0

    # a node given the old key does not start JetStream on its store (a copy of it)
    for node in NODES:
        cluster.stop(node)
    copy = tmp_path / "old-key-store"
    shutil.copytree(cluster.store("nats-1"), copy)
    conf = tmp_path / "old-key.conf"
    conf.write_text(cluster.conf("nats-1").read_text().replace(new_key, old_key).replace(
        json.dumps(str(cluster.store("nats-1"))), json.dumps(str(copy))))
    started = await asyncio.to_thread(subprocess.run, [natsserver.binary(), "-c", str(conf)],
                                      capture_output=True, text=True, timeout=60)
    assert started.returncode != 0
    assert "Can't start JetStream: chacha20poly1305: message authentication failed" in \
        started.stdout + started.stderr
