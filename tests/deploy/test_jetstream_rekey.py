"""`tessera jetstream-rekey`: the JetStream store re-encrypted under a new key with every
message and every consumer's position kept, the services publishing and consuming after
it, the old key opening nothing and no plaintext in the store's files; a rotation that
fails or is killed part-way leaves (or puts back) the store and key as they were; a
three-node cluster rotated in one maintenance window, and put back by ``abort`` when a
window fails. And why the rotation does not lean on nats-server's
``prev_encryption_key``: the server's own behaviour with it, pinned so that a release
that changes it is noticed."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time

import httpx
import pytest

from deploy import natscluster, natsconf, natsrekey, natsrekey_cluster, natsserver
from deploy.cli import main
from services.common import bus
from services.common.subjects import PROVISIONER, durable_name, streams
from tests.security.test_at_rest import files_under, plain_hits
from tests.support import CLUSTER_NODES, NatsCluster, close, eventually, start_nats_async

CHANNELS = {c.stream: c for c in streams()}
# (publisher, subject, stream, messages, bytes of each): two interest streams with durable
# consumers, and a stream kept by limits whose snapshot takes several chunks
TRAFFIC = [("gateway", "tessera.ingest.events.d1", "INGEST_EVENTS", 60, 200),
           ("consent", "tessera.consent.decisions", "CONSENT_DECISIONS", 30, 200),
           ("reidentify", "tessera.audit.heads", "AUDIT_HEADS", 25, 16_000)]
# (stream, consuming service, taken, acknowledged): a durable left part-way
ACKED = [("INGEST_EVENTS", "linker", 20, 12), ("CONSENT_DECISIONS", "scorer", 10, 5),
         ("CONSENT_DECISIONS", "pseudonymiser", 30, 30)]
LINKER = durable_name(CHANNELS["INGEST_EVENTS"], "linker")


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


def leaked(root, marker: bytes) -> int:
    """Files under ``root`` holding the marker in plain bytes (the at-rest scan)."""
    return plain_hits(files_under(root), {marker})


def store_files(root) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in files_under(root)}


def leftovers(layout) -> list[str]:
    """Anything a rotation leaves beside the store or the key when it is over."""
    return sorted([p.name for p in layout.nats_dir.iterdir() if "jetstream" in p.name
                   and p.name != "jetstream"]
                  + [p.name for p in layout.keys.glob("jetstream*") if p.name != "jetstream.key"])


async def provisioner(env):
    return await bus.connect(url=env.url, service=PROVISIONER, user=PROVISIONER,
                             password=env.passwords[PROVISIONER])


async def running(env, conf=None, log=None):
    """The local server started again on its store (with ``conf``, else its own)."""
    return await asyncio.to_thread(natsserver.start, conf or env.layout.nats_conf, env.port,
                                   log or env.layout.logs / "nats.log")


async def held(env) -> dict:
    nc = await provisioner(env)
    try:
        return await contents(nc)
    finally:
        await close(nc)


async def read_back(env, conf=None, log=None, read=contents):
    """What the local server, started again on its store, holds (read as the provisioner)."""
    proc = await running(env, conf, log)
    try:
        nc = await provisioner(env)
        try:
            return await read(nc)
        finally:
            await close(nc)
    finally:
        natsserver.stop(proc)


async def filled(tmp_path, marker: bytes):
    """The local runner's server, the traffic in it, stopped; and its contents."""
    env = await start_nats_async(tmp_path)
    try:
        await fill(env.connect, marker)
        before = await held(env)
    finally:
        env.stop()
    return env, before


def rekey_local(tmp_path) -> list[str]:
    return ["--var", str(tmp_path), "jetstream-rekey", "local"]


async def test_rotation_keeps_every_message_and_position_and_retires_the_old_key(
        tmp_path, capsys):
    marker = secrets.token_hex(8).encode()
    env, before = await filled(tmp_path, marker)
    layout = env.layout
    old_key = layout.jetstream_key.read_text().strip()
    assert sum(s["state"]["messages"] for s in before.values()) > 100
    assert before["INGEST_EVENTS"]["consumers"][LINKER]["ack_floor"]["stream_seq"] == 12

    # it refuses while the server runs
    proc = await running(env)
    try:
        assert await asyncio.to_thread(main, rekey_local(tmp_path)) == 1
    finally:
        natsserver.stop(proc)
    assert "stop it" in capsys.readouterr().err
    assert layout.jetstream_key.read_text().strip() == old_key

    assert await asyncio.to_thread(main, rekey_local(tmp_path)) == 0
    done = json.loads(capsys.readouterr().out)
    assert (done["streams"], done["messages"]) == \
        (len(before), sum(s["state"]["messages"] for s in before.values()))
    key = layout.jetstream_key.read_text().strip()
    assert key != old_key and len(key) == 64
    assert oct(layout.jetstream_key.stat().st_mode)[-3:] == "600"
    conf = layout.nats_conf.read_text()
    assert f'key: "{key}"' in conf and old_key not in conf
    # nothing of the old store or the old key is left beside the new, and nothing the
    # rotation wrote holds a message in plain bytes
    assert leftovers(layout) == []
    files = store_files(layout.jetstream)
    assert any(f.endswith(".blk") for f in files) and any("/obs/" in f for f in files)
    assert leaked(tmp_path, marker) == 0

    # restarted with the configuration as `tessera run` writes it: everything is there,
    # and the services go on where they were
    proc = await running(env)
    try:
        nc = await provisioner(env)
        try:
            assert await contents(nc) == before
            got = await natsrekey.api(nc, "STREAM.MSG.GET.AUDIT_HEADS", {"seq": 1})
            assert marker in base64.b64decode(got["message"]["data"])
        finally:
            await close(nc)
        linker = await env.connect("linker")
        try:  # the first message it had not been given
            psub = await linker.jetstream().pull_subscribe_bind(
                durable=LINKER, stream="INGEST_EVENTS")
            (msg,) = await psub.fetch(1, timeout=5)
            assert msg.metadata.sequence.stream == 21
            await msg.ack_sync()
        finally:
            await close(linker)
        consent = await env.connect("consent")
        try:
            ack = await consent.jetstream().publish("tessera.consent.decisions", b"after")
            assert ack.seq == 31
        finally:
            await close(consent)
        pseudonymiser = await env.connect("pseudonymiser")
        try:  # it had acknowledged all 30: the next it is given is the one just published
            psub = await pseudonymiser.jetstream().pull_subscribe_bind(
                durable=durable_name(CHANNELS["CONSENT_DECISIONS"], "pseudonymiser"),
                stream="CONSENT_DECISIONS")
            (msg,) = await psub.fetch(1, timeout=5)
            assert (msg.metadata.sequence.stream, msg.data) == (31, b"after")
            await msg.ack_sync()
        finally:
            await close(pseudonymiser)
        carried_on = await held(env)
    finally:
        natsserver.stop(proc)
    assert carried_on["INGEST_EVENTS"]["consumers"][LINKER]["delivered"]["stream_seq"] == 21

    # the old key opens nothing: the server starts, reads no stream and says why ...
    old_conf, old_log = tmp_path / "old-key.conf", tmp_path / "old-key.log"
    natsconf.write(old_conf, port=env.port, monitor_port=None, store_dir=layout.jetstream,
                   passwords=env.passwords, jetstream_key=old_key)
    assert await read_back(env, old_conf, old_log, natsrekey.stream_names) == []
    assert "Error decrypting our stream metafile: unable to recover keys" in \
        old_log.read_text()
    # ... and changes nothing: the new key still opens it all
    assert await read_back(env) == carried_on


def port_taken(monkeypatch, held: socket.socket) -> None:
    """The second private server (on the new store) is given a port this test holds:
    nats-server cannot listen on it and exits."""
    real, calls = natsserver.free_port, []

    def free_port() -> int:
        calls.append(1)
        return held.getsockname()[1] if len(calls) == 2 else real()

    monkeypatch.setattr(natsserver, "free_port", free_port)


def chunk_damaged(monkeypatch, held) -> None:
    """A snapshot chunk of the stream of large messages damaged on its way into the
    restore: nats-server's restore refuses it."""
    real = natsrekey.restore

    async def restore(nc, name, head, chunks):
        async def damaged():
            index = 0
            async for chunk in chunks:
                hit = name == "AUDIT_HEADS" and index == 1
                yield bytes(b ^ 0x5A for b in chunk) if hit else chunk
                index += 1

        return await real(nc, name, head, damaged())

    monkeypatch.setattr(natsrekey, "restore", restore)


@pytest.mark.parametrize(("fault", "says"), [
    (port_taken, "the nats-server on the new store did not start"),
    (chunk_damaged, "the restore of AUDIT_HEADS failed"),
], ids=["new-server-does-not-start", "restore-fails"])
async def test_a_failed_rotation_leaves_the_store_and_key_as_they_were(
        tmp_path, monkeypatch, capsys, fault, says):
    marker = secrets.token_hex(8).encode()
    env, before = await filled(tmp_path, marker)
    layout = env.layout
    old_key, conf = layout.jetstream_key.read_text().strip(), layout.nats_conf.read_text()
    files = store_files(layout.jetstream)
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        fault(monkeypatch, held)
        assert await asyncio.to_thread(main, rekey_local(tmp_path)) == 1
    assert says in capsys.readouterr().err
    assert layout.jetstream_key.read_text().strip() == old_key
    assert layout.nats_conf.read_text() == conf
    assert store_files(layout.jetstream) == files
    assert leftovers(layout) == []

    # the fault gone, the rotation goes through
    monkeypatch.undo()
    assert await asyncio.to_thread(main, rekey_local(tmp_path)) == 0
    assert layout.jetstream_key.read_text().strip() != old_key
    assert await read_back(env) == before
    assert leaked(tmp_path, marker) == 0


async def test_a_rotation_killed_part_way_is_undone_by_the_next(tmp_path, capsys):
    marker = secrets.token_hex(8).encode()
    env, before = await filled(tmp_path, marker)
    layout = env.layout
    old_key = layout.jetstream_key.read_text().strip()
    run = natsrekey.run_dir(layout.jetstream)
    tool = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "deploy", *rekey_local(tmp_path),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:  # killed once the server on the new store is up, while the streams are copied
        await eventually(lambda: (run / "new.pid").exists() or tool.returncode is not None,
                         timeout=60, interval=0.005)
    finally:
        if tool.returncode is None:
            tool.kill()
        await tool.wait()
    assert tool.returncode == -9
    assert natsrekey.aside(layout.jetstream).exists()  # the old store, moved aside
    upcoming = natsrekey.next_key_file(layout.jetstream_key).exists()

    # run again: its servers gone with it, the interrupted rotation is undone (or, had
    # the new key already taken the key file's place, completed), then it rotates
    assert await asyncio.to_thread(main, rekey_local(tmp_path)) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["interrupted_rotation"] == ("undone" if upcoming else "completed")
    assert layout.jetstream_key.read_text().strip() != old_key
    assert leftovers(layout) == []
    assert await read_back(env) == before
    assert leaked(tmp_path, marker) == 0


async def test_nats_server_prev_key_keeps_only_streams_with_messages_and_no_durable(tmp_path):
    """Why the rotation copies streams by snapshot and restore: started with the old key
    as ``prev_encryption_key``, nats-server re-encrypts each stream holding messages, but
    drops every stream never written to (its state file does not open) and every durable
    consumer (its state does not open either)."""
    env, before = await filled(tmp_path, secrets.token_hex(8).encode())
    layout = env.layout
    old_key = layout.jetstream_key.read_text().strip()
    key = secrets.token_hex(32)
    conf = layout.nats_conf.read_text().replace(
        f'key: "{old_key}"', f'key: "{key}"\n  prev_encryption_key: "{old_key}"')
    layout.nats_conf.write_text(conf)
    log = tmp_path / "prev-key.log"
    after = await read_back(env, log=log, read=natsrekey.describe)
    written = {s: d["state"]["messages"] for s, d in before.items() if d["state"]["last_seq"]}
    assert set(written) == {stream for _, _, stream, _, _ in TRAFFIC} and len(before) > 20
    assert {s: d["state"]["messages"] for s, d in after.items()} == written
    assert sum(len(d["consumers"]) for d in before.values()) > 20
    assert sum(len(d["consumers"]) for d in after.values()) == 0
    text = log.read_text()
    assert "error creating store for consumer: cipher: message authentication failed" in text
    assert 'Error recreating stream "PROFILES": corrupt state file' in text


# --- a cluster -------------------------------------------------------------------------


def tool(cluster: NatsCluster, action: str, *args: str) -> list[str]:
    """The command as an operator runs it against the cluster, as the provisioner."""
    return ["jetstream-rekey", action, "--secrets", str(cluster.secrets), *args,
            "--url", cluster.url, "--tls-ca", str(cluster.ca),
            "--nkey-file", str(cluster.nkey(PROVISIONER))]


def each_node(cluster: NatsCluster, action: str, *args: str) -> list[str]:
    """The command over every node's store (and, but for finish, its configuration)."""
    configs = () if action == "finish" else CLUSTER_NODES
    return ["jetstream-rekey", action, "--secrets", str(cluster.secrets), *args,
            *(f"--config={cluster.conf(n)}" for n in configs),
            *(f"--store-dir={cluster.store(n)}" for n in CLUSTER_NODES)]


async def formed(cluster: NatsCluster) -> None:
    """Until the cluster, (re)started, has elected its leaders and its copies are current."""
    nc = await cluster.connect(PROVISIONER)
    try:
        await natsrekey_cluster.formed(nc, time.monotonic() + 60)
    finally:
        await close(nc)


async def contents_of(cluster: NatsCluster) -> dict:
    await formed(cluster)
    nc = await cluster.connect(PROVISIONER)
    try:
        return await contents(nc)
    finally:
        await close(nc)


def replicas(cluster: NatsCluster) -> dict:
    """Each node's own copy of every stream (counts and sequences) and every consumer
    (delivered, acknowledged), from its monitoring port."""
    out = {}
    for node in CLUSTER_NODES:
        jsz = httpx.get(f"http://127.0.0.1:{cluster.monitor[node]}/jsz?streams=1&consumers=1",
                        timeout=5).json()
        out[node] = {
            s["name"]: (natsrekey.stream_state(s), sorted(
                (c["name"], c["delivered"]["stream_seq"], c["ack_floor"]["stream_seq"])
                for c in s.get("consumer_detail") or []))
            for account in jsz.get("account_details") or []
            for s in account.get("stream_detail") or []}
    return out


def kept(described: dict) -> dict:
    """What a store holds: every stream's configuration, counts, sequences and messages,
    and what each consumer was given and acknowledged (its count of what is pending is
    worked out afresh by whichever copy leads it)."""
    return {s: (d["config"], d["state"], d["digest"], {
        c: (p["config"], p["delivered"], p["ack_floor"]) for c, p in d["consumers"].items()})
        for s, d in described.items()}


def keys_of(cluster: NatsCluster) -> dict[str, str]:
    return {n: natsrekey.config_key(cluster.conf(n)) for n in CLUSTER_NODES}


async def run(argv: list[str]) -> int:
    return await asyncio.to_thread(main, argv)


@pytest.fixture
def cluster(tmp_path):
    made = NatsCluster(tmp_path / "cluster", monitor=True)
    try:
        yield made
    finally:
        made.kill_all()


async def test_a_cluster_rotated_in_one_window_keeps_every_copy(cluster, tmp_path, capsys):
    marker = secrets.token_hex(8).encode()
    cluster.start()
    await formed(cluster)
    await cluster.provision(replicas=3)
    await fill(cluster.connect, marker)
    before = await contents_of(cluster)
    old_key = natscluster.ensure_credentials(cluster.secrets).jetstream_key
    backup = tmp_path / "backup"

    # a window that fails: a node left stopped, the restore cannot place three copies
    # of a stream; abort puts every node back on its old store under the old key
    assert await run(tool(cluster, "backup", "--backup", str(backup))) == 0
    assert oct(backup.stat().st_mode)[-3:] == "700" and leaked(backup, marker) == 0
    cluster.stop()
    for node in CLUSTER_NODES:
        assert await run(["jetstream-rekey", "node", "--secrets", str(cluster.secrets),
                          "--config", str(cluster.conf(node)),
                          "--store-dir", str(cluster.store(node))]) == 0
    cluster.start("nats-1", "nats-2")
    assert await run(tool(cluster, "restore", "--backup", str(backup), "--timeout", "5")) == 1
    assert "did not form in time" in capsys.readouterr().err
    cluster.stop()
    assert await run(each_node(cluster, "abort", "--backup", str(backup))) == 0
    assert not backup.exists() and set(keys_of(cluster).values()) == {old_key}
    assert sorted(p.name for p in cluster.secrets.glob("jetstream*")) == ["jetstream.key"]
    cluster.start()
    assert kept(await contents_of(cluster)) == kept(before)

    # the window: the slices stopped, the streams backed up sealed under the new key
    assert await run(tool(cluster, "backup", "--backup", str(backup))) == 0
    assert leaked(backup, marker) == 0
    # the stream of large messages went over in several acknowledged chunks
    assert max(p.stat().st_size for p in backup.iterdir()) > 2 * natsrekey.CHUNK
    new_key = natsrekey_cluster.upcoming_key(cluster.secrets)
    # every node stopped, given the new key and an empty store, started again
    cluster.stop()
    for node in CLUSTER_NODES:
        assert await run(["jetstream-rekey", "node", "--secrets", str(cluster.secrets),
                          "--config", str(cluster.conf(node)),
                          "--store-dir", str(cluster.store(node))]) == 0
    assert set(keys_of(cluster).values()) == {new_key}
    # finish before the restore has checked the cluster would lose the old stores
    assert await run(each_node(cluster, "finish")) == 1
    assert "restore has not completed" in capsys.readouterr().err
    cluster.start()
    assert await run(tool(cluster, "restore", "--backup", str(backup))) == 0
    assert not backup.exists()
    assert await run(["jetstream-rekey", "finish", "--secrets", str(cluster.secrets),
                      *(f"--store-dir={cluster.store(n)}" for n in CLUSTER_NODES)]) == 0

    assert (cluster.secrets / "jetstream.key").read_text().strip() == new_key != old_key
    assert sorted(p.name for p in cluster.secrets.glob("jetstream*")) == ["jetstream.key"]
    after = await contents_of(cluster)
    # every message, and what each consumer acknowledged; what a consumer had been given
    # and not acknowledged is given again (a clustered restore keeps no more)
    assert {s: (d["config"], d["state"], d["digest"]) for s, d in after.items()} == \
        {s: (d["config"], d["state"], d["digest"]) for s, d in before.items()}
    assert natsrekey.differences(before, after, redelivering=True) == []
    linker = after["INGEST_EVENTS"]["consumers"][LINKER]
    assert (linker["ack_floor"]["stream_seq"], linker["delivered"]["stream_seq"],
            linker["num_pending"]) == (12, 12, 48)
    # every node holds the same copy of each stream and consumer as the others
    await eventually(lambda: len({json.dumps(c, sort_keys=True)
                                  for c in replicas(cluster).values()}) == 1, timeout=30)
    assert set(replicas(cluster)["nats-1"]) == set(before)
    nc = await cluster.connect("linker")
    try:
        psub = await nc.jetstream().pull_subscribe_bind(durable=LINKER, stream="INGEST_EVENTS")
        (msg,) = await psub.fetch(1, timeout=10)
        assert msg.metadata.sequence.stream == 13  # the first it had not acknowledged
    finally:
        await close(nc)
    for node in CLUSTER_NODES:
        assert not natsrekey.aside(cluster.store(node)).exists()
        assert leaked(cluster.store(node), marker) == 0
    # every consumer with messages to finish is given the first of them
    nc = await cluster.connect(PROVISIONER)
    try:
        backlog = [(s, c, p["ack_floor"]["stream_seq"]) for s, d in after.items()
                   for c, p in d["consumers"].items() if natsrekey.settled(p)["unfinished"]]
        assert {(s, c) for s, c, _ in backlog} >= {(s, c) for s, c, _, acked in ACKED
                                                    if acked < 30}
        for stream, consumer, floor in backlog:
            psub = await nc.jetstream().pull_subscribe_bind(durable=consumer, stream=stream)
            (msg,) = await psub.fetch(1, timeout=10)
            assert msg.metadata.sequence.stream > floor
    finally:
        await close(nc)

    # a node given the old key does not start JetStream on its store (a copy of it)
    cluster.stop()
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


def test_node_refuses_what_it_could_not_put_back(tmp_path, capsys):
    """A Kubernetes StatefulSet's configuration (its stores are volume claims) and a
    directory that is not a node's store_dir (a volume's root, say) are refused, and
    without a rotation under way nothing is touched."""
    secrets_dir = tmp_path / "secrets"
    assert main(["nats-config", "--kubernetes", "--out", str(tmp_path / "k8s"),
                 "--secrets", str(secrets_dir)]) == 0
    assert main(["nats-config", "--out", str(tmp_path / "conf"), "--secrets",
                 str(secrets_dir)]) == 0
    volume = tmp_path / "volume"
    (volume / "jetstream" / "jetstream" / "$SYS").mkdir(parents=True)
    node = ["jetstream-rekey", "node", "--secrets", str(secrets_dir)]
    assert main([*node, "--config", str(tmp_path / "k8s" / "nats.conf"),
                 "--store-dir", str(volume / "jetstream")]) == 1
    assert "Kubernetes StatefulSet" in capsys.readouterr().err
    assert main([*node, "--config", str(tmp_path / "conf" / "nats-1.conf"),
                 "--store-dir", str(volume)]) == 1
    assert "not a cluster node's JetStream store_dir" in capsys.readouterr().err
    assert main([*node, "--config", str(tmp_path / "conf" / "nats-1.conf"),
                 "--store-dir", str(volume / "jetstream")]) == 1
    assert "no rotation under way" in capsys.readouterr().err
    assert (volume / "jetstream" / "jetstream" / "$SYS").is_dir()
    assert not natsrekey.aside(volume / "jetstream").exists()
    # node needs the store to move aside: a usage error
    assert main([*node, "--config", str(tmp_path / "conf" / "nats-1.conf")]) == 2
