"""Rotate the key a JetStream store is encrypted with (`tessera jetstream-rekey`).

nats-server accepts a ``prev_encryption_key`` beside ``key`` and, started with both,
re-encrypts a store under the new key, but not all of it: each stream holding messages
is carried over, while a stream never written to and every durable consumer fail to
open and are dropped; on a cluster node the metadata log does not open and JetStream
does not start (``tests/deploy/test_jetstream_rekey.py`` pins this). A cluster node
restarted on an empty store to catch up from its peers is no way round it either: raft
does not expect a member to lose its log, and the copies it rebuilds can miss messages
while reported current. The rotation is built instead on nats-server's snapshot and
restore of a stream with its consumers' state, compared before and after:

- **One server** (the local runner's): with it stopped, its store is moved aside and two
  private servers start on loopback, one on the old store under the old key, one on an
  empty store under the new key; each stream's snapshot is piped into the restore, chunk
  by chunk. Once every stream's state and every consumer's position agree, the key file
  and the configuration take the new key and the old store is removed. Any failure puts
  the old store back.
- **A cluster**, in one maintenance window with the slices stopped: every stream is backed
  up, sealed under the new key; every node is stopped, given the new key and an empty
  store, and started; every stream is restored (with its copies on every node) and
  compared with the backup; then the new key takes the old one's place.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import struct
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import nats
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from deploy import natsserver
from deploy.decommission import shred
from deploy.natscluster import write_private
from deploy.natsconf import jetstream_cipher
from services.common.crypto import new_key

API = "$JS.API."
CHUNK = 128 * 1024        # snapshot chunks: nats-server's default size
WINDOW = 2 * 1024 * 1024  # unacknowledged chunks in flight, at most
TIMEOUT = 30.0            # seconds for a chunk, an answer or a restore to finish
ASIDE = ".rekey-old"      # the old store, beside the new, until the rotation is done
NEXT = ".next"            # a rolling cluster's new key, beside the key it replaces
KEY_LINE = re.compile(r'^(\s*key: )"([^"\n]*)"[ \t]*$', re.M)


class RekeyError(Exception):
    """The rotation cannot go on; what is on disk is as it was before it started."""


def aside(store_dir: Path) -> Path:
    return store_dir.with_name(store_dir.name + ASIDE)


def next_key_file(key_file: Path) -> Path:
    return key_file.with_name(key_file.name + NEXT)


# --- the key file and the configuration ------------------------------------------------


def config_key(conf: Path) -> str:
    """The JetStream key written in a nats-server configuration."""
    found = KEY_LINE.findall(conf.read_text())
    if len(found) != 1:
        raise RekeyError(f"{conf} does not hold exactly one JetStream key line")
    return found[0][1]


def set_config_key(conf: Path, key: str) -> None:
    """Write ``key`` into the configuration's ``jetstream`` block, in the same file (a
    file mounted into a container keeps its inode, so the container sees the change)."""
    config_key(conf)
    text = KEY_LINE.sub(lambda m: f'{m.group(1)}"{key}"', conf.read_text())
    write_private(conf, text.encode())


def write_new_key(path: Path) -> str:
    """A fresh 256-bit key in a file made 0600, never over an existing one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    key = new_key()
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return key


def replace_key(key_file: Path, key: str) -> None:
    """``key_file`` holds ``key`` (0600, written whole before it takes the old one's
    place); the old key's bytes are then overwritten on disk and removed."""
    staged = key_file.with_name(key_file.name + ".rekeying")
    staged.unlink(missing_ok=True)
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    retired = key_file.with_name(key_file.name + ".retired")
    retired.unlink(missing_ok=True)
    os.link(key_file, retired)
    os.replace(staged, key_file)
    shred(retired)


def read_key(path: Path) -> str:
    key = path.read_text().strip()
    if not key:
        raise RekeyError(f"{path} is empty")
    return key


# --- what a server holds ---------------------------------------------------------------


async def api(nc, subject: str, body: dict | None = None, timeout: float = TIMEOUT) -> dict:
    """A JetStream API answer; an error answer raises RekeyError."""
    payload = json.dumps(body).encode() if body is not None else b""
    answer = json.loads((await nc.request(API + subject, payload, timeout=timeout)).data)
    if "error" in answer:
        raise RekeyError(f"{subject}: {answer['error'].get('description', answer['error'])}")
    return answer


async def paged(nc, subject: str, field: str) -> list:
    items: list = []
    while True:
        page = await api(nc, subject, {"offset": len(items)})
        items += page.get(field) or []
        if not page.get(field) or len(items) >= page.get("total", 0):
            return items


async def stream_names(nc) -> list[str]:
    return sorted(await paged(nc, "STREAM.NAMES", "streams"))


def _without_metadata(config: dict) -> dict:
    return {k: v for k, v in config.items() if k != "metadata"}


def position(info: dict) -> dict:
    """A consumer's place in its stream: what it was given, what is acknowledged, what
    is still to come (its last activity's time left out)."""
    return {
        "config": _without_metadata(info["config"]),
        "delivered": {k: info["delivered"].get(k) for k in ("consumer_seq", "stream_seq")},
        "ack_floor": {k: info["ack_floor"].get(k) for k in ("consumer_seq", "stream_seq")},
        **{k: info.get(k) for k in ("num_ack_pending", "num_redelivered", "num_pending")},
    }


STATE = ("messages", "bytes", "first_seq", "last_seq", "num_deleted", "consumer_count")


def stream_state(info: dict) -> dict:
    """A stream's counts and sequences. An empty stream's first sequence is taken as the
    one after its last: nats-server says 0 for a stream never written to and 1 for the
    same stream restored, the next message being 1 either way."""
    state = {k: info["state"].get(k) for k in STATE}
    if not state["messages"]:
        state["first_seq"] = state["last_seq"] + 1
    return state


async def describe(nc) -> dict:
    """Every stream's configuration and state, and every consumer's position."""
    out = {}
    for name in await stream_names(nc):
        info = await api(nc, f"STREAM.INFO.{name}")
        consumers = await paged(nc, f"CONSUMER.LIST.{name}", "consumers")
        out[name] = {
            "config": _without_metadata(info["config"]),
            "state": stream_state(info),
            "consumers": {c["name"]: position(c) for c in consumers},
        }
    return out


def on_disk(store_dir: Path) -> dict[str, set[str]]:
    """The streams and consumers a standalone server's store holds, by its directories."""
    streams = store_dir / "jetstream" / "$G" / "streams"
    if not streams.is_dir():
        return {}
    return {s.name: {c.name for c in (s / "obs").iterdir() if c.is_dir()}
            if (s / "obs").is_dir() else set() for s in streams.iterdir() if s.is_dir()}


def check_standalone(store_dir: Path) -> None:
    """Refuse a store this procedure would not carry whole: a cluster node's, or one
    with accounts besides the default one."""
    root = store_dir / "jetstream"
    if not root.is_dir():
        return
    if (root / "$SYS" / "_js_").exists():
        raise RekeyError(f"{store_dir} is a cluster node's store: rotate it with "
                         "`tessera jetstream-rekey node` (docs/keys.md)")
    others = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name != "$G")
    if others:
        raise RekeyError(f"{store_dir} holds accounts other than the default one: "
                         f"{', '.join(others)}")


# --- one server: snapshot and restore between two private servers ----------------------


def private_config(port: int, store_dir: Path, key: str, password: str) -> str:
    """A server only this tool reaches: loopback, a password made for the run, no
    monitoring, the store under ``key``."""
    return (f'listen: "127.0.0.1:{port}"\nserver_name: "tessera-rekey"\n'
            f"jetstream {{\n  store_dir: {json.dumps(str(store_dir))}\n"
            f"  sync_interval: always\n{jetstream_cipher(key, '  ')}}}\n"
            f'authorization {{\n  user: "rekey"\n  password: {json.dumps(password)}\n}}\n')


@contextlib.asynccontextmanager
async def private_server(store_dir: Path, key: str, log_file: Path) -> AsyncIterator:
    """A connection to a nats-server started on ``store_dir`` under ``key``, stopped on
    leaving (its configuration, which holds the key, is in a directory only this user
    reads and is removed)."""
    directory = Path(tempfile.mkdtemp(prefix="tessera-rekey-"))
    proc = None
    try:
        port, password = natsserver.free_port(), secrets.token_urlsafe(24)
        conf = directory / "nats.conf"
        write_private(conf, private_config(port, store_dir, key, password).encode())
        proc = natsserver.start(conf, port, log_file)
        nc = await nats.connect(f"nats://127.0.0.1:{port}", user="rekey", password=password,
                                allow_reconnect=False, connect_timeout=5)
        try:
            yield nc
        finally:
            await nc.close()
    finally:
        if proc is not None:
            stop(proc)
        shutil.rmtree(directory, ignore_errors=True)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.asynccontextmanager
async def snapshot(nc, name: str) -> AsyncIterator[tuple[dict, AsyncIterator[bytes]]]:
    """A stream's snapshot with its consumers' state, made by nats-server: its
    configuration and state, and its chunks, each acknowledged to the server only when
    the next is asked for (once the caller has kept it)."""
    inbox = nc.new_inbox()
    sub = await nc.subscribe(inbox)
    try:
        head = await api(nc, f"STREAM.SNAPSHOT.{name}", {
            "deliver_subject": inbox, "chunk_size": CHUNK, "window_size": WINDOW})

        async def chunks() -> AsyncIterator[bytes]:
            while True:
                chunk = await sub.next_msg(timeout=TIMEOUT)
                if not chunk.data:  # the end: no status, or 204, when the snapshot is whole
                    status = (chunk.headers or {}).get("Status")
                    if status not in (None, "204"):
                        raise RekeyError(f"the snapshot of {name} failed: {status} "
                                         f"{(chunk.headers or {}).get('Description', '')}")
                    return
                yield chunk.data
                if chunk.reply:
                    await nc.publish(chunk.reply, b"")

        yield {"config": head["config"], "state": head["state"]}, chunks()
    finally:
        await sub.unsubscribe()


async def restore(nc, name: str, head: dict, chunks: AsyncIterator[bytes]) -> dict:
    """Create ``name`` from a snapshot's configuration, state and chunks by nats-server's
    restore, which writes it (and its consumers) under the server's key; the restored
    stream's information."""
    target = (await api(nc, f"STREAM.RESTORE.{name}", head))["deliver_subject"]
    async for chunk in chunks:
        taken = await nc.request(target, chunk, timeout=TIMEOUT)
        if taken.data:
            raise RekeyError(f"the restore of {name} failed: {taken.data[:200]!r}")
    done = json.loads((await nc.request(target, b"", timeout=TIMEOUT * 4)).data)
    if "error" in done:
        raise RekeyError(f"the restore of {name} failed: {done['error']}")
    return done


async def copy_stream(old, new, name: str) -> dict:
    """``name`` with its consumers from ``old`` to ``new``, snapshot chunks piped into the
    restore: nothing is written but by the two servers."""
    async with snapshot(old, name) as (head, chunks):
        return await restore(new, name, head, chunks)


def unopened(expected: dict[str, set[str]], described: dict) -> list[str]:
    """The streams and consumers on disk a server did not load (a key that does not
    open them, or damage)."""
    out = [f"stream {s}" for s in sorted(set(expected) - set(described))]
    return out + [f"consumer {s}/{c}" for s in sorted(set(expected) & set(described))
                  for c in sorted(expected[s] - set(described[s]["consumers"]))]


def settled(position: dict) -> dict:
    """What a consumer holds whatever becomes of its deliveries awaiting acknowledgement:
    its configuration, what is acknowledged, and how many messages it has yet to finish
    (those not delivered and those awaiting acknowledgement)."""
    return {"config": position["config"], "ack_floor": position["ack_floor"],
            "unfinished": position["num_pending"] + position["num_ack_pending"]}


def differences(before: dict, after: dict, redelivering: bool = False) -> list[str]:
    """Where two descriptions disagree, by stream and consumer name (never a value). With
    ``redelivering``, a consumer's deliveries awaiting acknowledgement may have become
    deliveries still to make (a cluster's restore does that)."""
    same = (lambda b, a: settled(b) == settled(a)) if redelivering else \
        (lambda b, a: b == a)
    out = [f"stream {s}" for s in sorted(set(before) ^ set(after))]
    for s in sorted(set(before) & set(after)):
        for part in ("config", "state"):
            if before[s][part] != after[s][part]:
                out.append(f"stream {s} {part}")
        b, a = before[s]["consumers"], after[s]["consumers"]
        out += [f"consumer {s}/{c}" for c in sorted(set(b) ^ set(a))]
        out += [f"consumer {s}/{c}" for c in sorted(set(b) & set(a)) if not same(b[c], a[c])]
    return out


def rekey_store(store_dir: Path, old_key: str, key: str, log_file: Path) -> dict:
    """Re-encrypt a stopped standalone server's store under ``key``; the old store is left
    beside it (``aside``) for the caller to remove once the new key is kept. On any
    failure the store is put back as it was."""
    check_standalone(store_dir)
    old_dir = aside(store_dir)
    if old_dir.exists():
        raise RekeyError(f"{old_dir} is left from an interrupted rotation: the store in it "
                         f"is under the key in the key file; remove {store_dir} and move it "
                         "back, then run the rotation again")
    if not store_dir.exists():
        return {"streams": 0, "messages": 0, "consumers": 0}
    expected = on_disk(store_dir)
    os.rename(store_dir, old_dir)
    try:
        before = asyncio.run(copy_all(old_dir, store_dir, old_key, key, log_file, expected))
    except BaseException:
        shutil.rmtree(store_dir, ignore_errors=True)
        os.rename(old_dir, store_dir)
        raise
    return {"streams": len(before),
            "messages": sum(d["state"]["messages"] for d in before.values()),
            "consumers": sum(len(d["consumers"]) for d in before.values())}


async def copy_all(old_dir: Path, store_dir: Path, old_key: str, key: str, log_file: Path,
                   expected: dict[str, set[str]]) -> dict:
    """Every stream of the store in ``old_dir`` (under ``old_key``) copied into an empty
    store in ``store_dir`` (under ``key``) and compared; the old store's description."""
    async with private_server(old_dir, old_key, log_file) as old, \
            private_server(store_dir, key, log_file) as new:
        before = await describe(old)
        if unread := unopened(expected, before):
            raise RekeyError("the key in the key file does not open all of the store: "
                             + ", ".join(unread))
        for name in before:
            await copy_stream(old, new, name)
        after = await describe(new)
        if wrong := differences(before, after):
            raise RekeyError("the copy differs from the store: " + ", ".join(wrong))
    return before


def answering(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def listen_address(conf: Path) -> tuple[str, int] | None:
    """The client address a configuration listens on (loopback for any interface)."""
    found = re.search(r'^listen: "([^"]*):(\d+)"', conf.read_text(), re.M)
    if not found:
        return None
    host = found.group(1)
    return ("127.0.0.1" if host in ("0.0.0.0", "", "::") else host), int(found.group(2))  # noqa: S104


def rotate_standalone(store_dir: Path, key_file: Path, conf: Path | None,
                            log_file: Path) -> dict:
    """The whole rotation of one stopped server: its store re-encrypted and checked, the
    key file and the configuration given the new key, the old store removed."""
    if conf is not None and conf.exists() and (address := listen_address(conf)) \
            and answering(*address):
        raise RekeyError(f"nats-server answers on {address[0]}:{address[1]}: stop it (and "
                         "the federation) first")
    old_key, key = read_key(key_file), new_key()
    done = rekey_store(store_dir, old_key, key, log_file)
    try:
        replace_key(key_file, key)
    except BaseException:
        shutil.rmtree(store_dir, ignore_errors=True)
        os.rename(aside(store_dir), store_dir)
        raise
    if conf is not None and conf.exists():
        set_config_key(conf, key)
    shutil.rmtree(aside(store_dir), ignore_errors=True)
    return {"store": str(store_dir), **done, "key_file": str(key_file)}


# --- a cluster: backed up sealed, the nodes emptied under the new key, restored ---------


def sealing(key: str) -> ChaCha20Poly1305:
    """The cipher a backup is sealed with, derived from the new JetStream key (HKDF-SHA256
    for this use only): whoever cannot read that key can neither read nor alter it."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"tessera jetstream-rekey backup").derive(key.encode())
    return ChaCha20Poly1305(derived)


def _seal(fh, aead: ChaCha20Poly1305, label: str, data: bytes) -> None:
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, data, label.encode())
    fh.write(struct.pack(">I", len(sealed)) + nonce + sealed)


def _unsealed(path: Path, aead: ChaCha20Poly1305, name: str):
    """The records of a sealed file, in order; each bound to ``name`` and its place, the
    last an end mark (a file cut short, reordered or swapped does not open)."""
    from cryptography.exceptions import InvalidTag

    with open(path, "rb") as fh:
        index = 0
        while True:
            size = fh.read(4)
            if len(size) < 4:
                raise RekeyError(f"{path} is cut short")
            body = fh.read(12 + struct.unpack(">I", size)[0])
            label = f"{name}:{index}"
            try:
                data = aead.decrypt(body[:12], body[12:], label.encode())
            except InvalidTag:
                try:
                    aead.decrypt(body[:12], body[12:], f"{name}:end".encode())
                    return
                except InvalidTag as exc:
                    raise RekeyError(f"{path} does not open with the key the backup "
                                     "was made under, or was altered") from exc
            yield data
            index += 1


def _write_sealed(path: Path, aead: ChaCha20Poly1305, name: str, records) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        for index, record in enumerate(records):
            _seal(fh, aead, f"{name}:{index}", record)
        _seal(fh, aead, f"{name}:end", b"")
        fh.flush()
        os.fsync(fh.fileno())


async def backup(nc, out: Path, key: str) -> dict:
    """Every stream of a running cluster with its consumers' state, as nats-server's
    snapshots, sealed under ``key`` into files in ``out`` (made 0700, never an existing
    one), with a manifest of what each held. RekeyError, and nothing kept, when anything
    changed meanwhile: something still publishes or acknowledges."""
    aead = sealing(key)
    os.mkdir(out, 0o700)
    try:
        before = await describe(nc)
        files = {}
        for index, name in enumerate(before):
            files[name] = f"stream-{index}.sealed"
            fd = os.open(out / files[name], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                async with snapshot(nc, name) as (head, chunks):
                    _seal(fh, aead, f"{name}:0", json.dumps(head).encode())
                    records = 1
                    async for chunk in chunks:
                        _seal(fh, aead, f"{name}:{records}", chunk)
                        records += 1
                _seal(fh, aead, f"{name}:end", b"")
                fh.flush()
                os.fsync(fh.fileno())
        if wrong := differences(before, await describe(nc)):
            raise RekeyError("the streams changed while they were backed up (stop the "
                             "slices, and anything else that publishes, first): "
                             + ", ".join(wrong))
        _write_sealed(out / "manifest.sealed", aead, "manifest", [
            json.dumps({"streams": before, "files": files}).encode()])
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return {"backup": str(out), "streams": len(before),
            "messages": sum(d["state"]["messages"] for d in before.values()),
            "consumers": sum(len(d["consumers"]) for d in before.values())}


def read_manifest(src: Path, key: str) -> dict:
    aead = sealing(key)
    (text,) = list(_unsealed(src / "manifest.sealed", aead, "manifest"))
    return json.loads(text)


async def _records(path: Path, aead: ChaCha20Poly1305, name: str):
    for record in _unsealed(path, aead, name):
        yield record


async def restore_backup(nc, src: Path, key: str, timeout: float = 300.0) -> dict:
    """Every stream of a backup restored into the cluster (a stream already there and
    matching the backup is left as it is), then, once every copy is current, each
    stream's state and each consumer's position compared with the backup's. A clustered
    restore keeps what each consumer had acknowledged but not which messages it had been
    given and not yet acknowledged: those are delivered again."""
    aead = sealing(key)
    manifest = read_manifest(src, key)
    wanted = manifest["streams"]
    deadline = time.monotonic() + timeout
    while True:  # nodes started on empty stores elect a metadata leader first
        try:
            present = await describe(nc)
            break
        except (RekeyError, nats.errors.TimeoutError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
    for name in wanted:
        if name in present:
            if wrong := differences({name: wanted[name]}, {name: present[name]}, True):
                raise RekeyError(f"{name} is in the cluster and differs from the backup "
                                 f"({', '.join(wrong)}); delete it, then restore again")
            continue
        records = _records(src / manifest["files"][name], aead, name)
        head = json.loads(await anext(records))
        await restore(nc, name, head, records)
    await wait_replicated(nc, timeout)
    if wrong := differences(wanted, await describe(nc), redelivering=True):
        raise RekeyError("the cluster differs from the backup: " + ", ".join(wrong))
    return {"streams": len(wanted),
            "messages": sum(d["state"]["messages"] for d in wanted.values()),
            "consumers": sum(len(d["consumers"]) for d in wanted.values())}


def _lagging(name: str, replicas: int, cluster: dict) -> list[str]:
    peers = cluster.get("replicas") or []
    current = [p for p in peers if p.get("current") and not p.get("offline")]
    if replicas > 1 and (not cluster.get("leader") or len(current) < replicas - 1):
        return [name]
    return []


async def wait_replicated(nc, timeout: float) -> None:
    """Until every stream and consumer has a leader and all its copies are current."""
    deadline = time.monotonic() + timeout
    while True:
        behind: list[str] = []
        for name in await stream_names(nc):
            info = await api(nc, f"STREAM.INFO.{name}")
            replicas = info["config"].get("num_replicas") or 1
            behind += _lagging(name, replicas, info.get("cluster") or {})
            for c in await paged(nc, f"CONSUMER.LIST.{name}", "consumers"):
                behind += _lagging(f"{name}/{c['name']}",
                                   c["config"].get("num_replicas") or replicas,
                                   c.get("cluster") or {})
        if not behind:
            return
        if time.monotonic() > deadline:
            raise RekeyError("copies not current after the restore: " + ", ".join(behind))
        await asyncio.sleep(0.5)


def upcoming_key(secrets_dir: Path, make: bool = False) -> str:
    """The rotation's new key, ``jetstream.key.next`` beside the cluster's key: made
    (0600) when ``make`` and missing."""
    path = next_key_file(secrets_dir / "jetstream.key")
    if path.exists():
        return read_key(path)
    if not make:
        raise RekeyError(f"no rotation under way: {path} does not exist (backup makes it)")
    return write_new_key(path)


def empty_node(conf: Path, store_dir: Path | None, secrets_dir: Path) -> dict:
    """A stopped node made ready to start under the new key: its configuration given the
    key, its store (when named) moved aside until ``finish``."""
    key = upcoming_key(secrets_dir)
    moved = None
    if store_dir is not None:
        if aside(store_dir).exists():
            raise RekeyError(f"{aside(store_dir)} is left from an earlier rotation")
        if store_dir.exists():
            os.rename(store_dir, aside(store_dir))
            moved = str(aside(store_dir))
    set_config_key(conf, key)
    return {"config": str(conf), "store_moved_to": moved}


def finish(secrets_dir: Path, store_dirs: list[Path]) -> dict:
    """The rotation's key becomes the cluster's ``jetstream.key`` (later configurations
    are written with it; the old key is overwritten and removed) and the old stores moved
    aside are removed."""
    key_file = secrets_dir / "jetstream.key"
    replace_key(key_file, upcoming_key(secrets_dir))
    next_key_file(key_file).unlink()
    removed = []
    for store_dir in store_dirs:
        if aside(store_dir).exists():
            shutil.rmtree(aside(store_dir))
            removed.append(str(aside(store_dir)))
    return {"key_file": str(key_file), "removed": removed}
