"""Rotate a NATS cluster's JetStream key in one maintenance window, the slices stopped
(`tessera jetstream-rekey backup | node | restore | finish`, or ``abort``):

1. ``backup``: every stream with its consumers' state, as nats-server's snapshots, sealed
   under the new key (made now as ``jetstream.key.next`` beside the cluster's key) into
   a directory only its owner reads.
2. ``node``, for each stopped node: its configuration given the new key, its store moved
   aside (``<store>.rekey-old``) and an empty one made in its place.
3. ``restore``, the nodes started again: every stream restored, with its copies on every
   node, and compared with the backup; the backup is then removed.
4. ``finish``: the new key takes ``jetstream.key``'s place, the old key is shredded and
   the old stores removed.

Until ``finish`` the old stores and the old key are kept, so ``abort`` puts every stopped
node back as it was. The nodes' configurations and stores must be files this machine
reaches (a host's nodes, or a compose deployment's volumes); a Kubernetes StatefulSet's
are not, and ``node`` refuses its configuration.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import struct
import time
from pathlib import Path

import nats.errors
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from deploy.decommission import shred
from deploy.natsrekey import (
    FAILURES,
    ApiError,
    RekeyError,
    api,
    aside,
    commit_key,
    config_key,
    describe,
    differences,
    failure,
    next_key_file,
    paged,
    read_key,
    refuse_if_running,
    retire,
    retired_key_file,
    send_chunks,
    set_config_key,
    snapshot,
    stream_names,
    totals,
    write_new_key,
)
from services.common import bus
from services.common.subjects import PROVISIONER

KEY = "jetstream.key"
RESTORED = "jetstream.key.restored"  # restore has checked the cluster against the backup
# JetStream API errors of a cluster still forming: no meta leader, or too few peers yet
FORMING = {10005, 10006, 10008, 10009, 10023}
ASK = 5.0  # seconds for an answer while the cluster forms (a question may go unanswered)


def key_file(secrets_dir: Path) -> Path:
    return secrets_dir / KEY


def upcoming_key(secrets_dir: Path, make: bool = False) -> str:
    """The rotation's new key, ``jetstream.key.next`` beside the cluster's key: made
    (0600) when ``make`` and missing."""
    path = next_key_file(key_file(secrets_dir))
    if path.exists():
        return read_key(path)
    if not make:
        raise RekeyError(f"no rotation under way: {path} does not exist (backup makes it)")
    return write_new_key(path)


# --- the backup, sealed under the new key ----------------------------------------------


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
    with open(path, "rb") as fh:
        index = 0
        while True:
            size = fh.read(4)
            if len(size) < 4:
                raise RekeyError(f"{path} is cut short")
            body = fh.read(12 + struct.unpack(">I", size)[0])
            try:
                data = aead.decrypt(body[:12], body[12:], f"{name}:{index}".encode())
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
    return {"backup": str(out), **totals(before)}


def read_manifest(src: Path, key: str) -> dict:
    (text,) = list(_unsealed(src / "manifest.sealed", sealing(key), "manifest"))
    return json.loads(text)


async def _records(path: Path, aead: ChaCha20Poly1305, name: str):
    for record in _unsealed(path, aead, name):
        yield record


# --- the restore, once the nodes run under the new key ---------------------------------


async def _forming(call, deadline: float, unanswered: bool = True):
    """``call()``'s answer, asked again while the cluster is still forming (no metadata
    leader yet, or too few peers to place a stream's copies) until ``deadline``; with
    ``unanswered``, a request no one answered is asked again too."""
    retried = (ApiError, nats.errors.TimeoutError, nats.errors.NoRespondersError) \
        if unanswered else (ApiError,)
    while True:
        try:
            return await call()
        except retried as exc:
            if isinstance(exc, ApiError) and exc.code not in FORMING:
                raise
            if time.monotonic() > deadline:
                raise RekeyError(f"the cluster did not form in time: {exc}") from exc
            await asyncio.sleep(0.5)


async def formed(nc, deadline: float) -> None:
    """Until the cluster answers the JetStream API (it has a metadata leader); each
    question is short, since one asked before there is a leader is never answered."""
    await _forming(lambda: api(nc, "STREAM.NAMES", {"offset": 0}, timeout=2), deadline)
    await wait_replicated(nc, deadline)


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
    await formed(nc, deadline)
    present = await _forming(lambda: describe(nc, ASK), deadline)
    for name in wanted:
        if name in present:
            if wrong := differences({name: wanted[name]}, {name: present[name]}, True):
                raise RekeyError(f"{name} is in the cluster and differs from the backup "
                                 f"({', '.join(wrong)}); delete it, then restore again")
            continue
        records = _records(src / manifest["files"][name], aead, name)
        head = json.loads(await anext(records))
        # asked again only when refused: a request unanswered may have begun a restore
        target = (await _forming(lambda n=name, h=head: api(nc, f"STREAM.RESTORE.{n}", h),
                                 deadline, unanswered=False))["deliver_subject"]
        await send_chunks(nc, name, target, records)
    # a consumer whose leader was elected on a copy of its stream still being filled
    # neither counts nor delivers what that copy received later; its leader elected
    # again once every copy is current sees it all
    await wait_replicated(nc, deadline)
    await reelect(nc, [(s, c) for s, d in wanted.items() if _replicated(d["config"])
                       for c in d["consumers"]], deadline)
    while True:
        await wait_replicated(nc, deadline)
        wrong = differences(wanted, await describe(nc), redelivering=True)
        stale = [tuple(w.split()[1].split("/")) for w in wrong if w.startswith("consumer")]
        if not wrong:
            return totals(wanted)
        if len(stale) < len(wrong) or time.monotonic() > deadline:
            raise RekeyError("the cluster differs from the backup: " + ", ".join(wrong))
        await reelect(nc, stale, deadline)
        await asyncio.sleep(0.5)


def _replicated(config: dict) -> bool:
    return (config.get("num_replicas") or 1) > 1


async def reelect(nc, consumers: list[tuple[str, str]], deadline: float) -> None:
    """Each consumer's leader stepped down, for another copy to lead it."""
    for stream, consumer in consumers:
        await _forming(lambda s=stream, c=consumer: api(
            nc, f"CONSUMER.LEADER.STEPDOWN.{s}.{c}", timeout=ASK), deadline)


def _lagging(name: str, replicas: int, cluster: dict) -> list[str]:
    peers = cluster.get("replicas") or []
    current = [p for p in peers if p.get("current") and not p.get("offline")]
    if replicas > 1 and (not cluster.get("leader") or len(current) < replicas - 1):
        return [name]
    return []


async def wait_replicated(nc, deadline: float) -> None:
    """Until every stream and consumer has a leader and all its copies are current."""
    while True:
        try:
            behind = await _behind(nc)
        except (ApiError, nats.errors.TimeoutError, nats.errors.NoRespondersError) as exc:
            if isinstance(exc, ApiError) and exc.code not in FORMING:
                raise
            behind = [f"unanswered ({exc})"]
        if not behind:
            return
        if time.monotonic() > deadline:
            raise RekeyError("copies not current in time: " + ", ".join(behind))
        await asyncio.sleep(0.5)


async def _behind(nc) -> list[str]:
    behind: list[str] = []
    for name in await stream_names(nc, ASK):
        info = await api(nc, f"STREAM.INFO.{name}", timeout=ASK)
        replicas = info["config"].get("num_replicas") or 1
        behind += _lagging(name, replicas, info.get("cluster") or {})
        for c in await paged(nc, f"CONSUMER.LIST.{name}", "consumers", ASK):
            behind += _lagging(f"{name}/{c['name']}",
                               c["config"].get("num_replicas") or replicas,
                               c.get("cluster") or {})
    return behind


async def over_the_network(action: str, *, url: str, secrets_dir: Path, directory: Path,
                           password: str, nkey_file: str | None, tls_ca: str | None,
                           timeout: float) -> dict:
    """``backup`` or ``restore``, talking to the cluster as the provisioner."""
    restored = secrets_dir / RESTORED
    if restored.exists():
        raise RekeyError(f"the cluster is restored under the new key ({restored}): finish, "
                         "or abort, the rotation")
    key = upcoming_key(secrets_dir, make=action == "backup")
    try:
        nc = await bus.connect(url=url, service=PROVISIONER, user=PROVISIONER,
                               password=password, tls_ca_file=tls_ca, nkey_file=nkey_file)
    except FAILURES as exc:
        raise RekeyError(f"no connection to the cluster at {url}: {exc}") from exc
    try:
        if action == "backup":
            await formed(nc, time.monotonic() + timeout)
            return await backup(nc, directory, key)
        done = await restore_backup(nc, directory, key, timeout)
        restored.write_text(json.dumps(done) + "\n")
        shutil.rmtree(directory)
        return {**done, "removed": str(directory)}
    except FAILURES as exc:
        raise (exc if isinstance(exc, RekeyError) else failure(exc)) from exc
    finally:
        await nc.close()


# --- the nodes' files ------------------------------------------------------------------


def _check_node(conf: Path, store_dir: Path) -> None:
    text = conf.read_text()
    if "$POD_NAME" in text:
        raise RekeyError(f"{conf} is a Kubernetes StatefulSet's configuration: its stores "
                         "are volume claims this command does not reach (docs/keys.md)")
    config_key(conf)
    if store_dir.is_dir() and any(store_dir.iterdir()) and \
            not (store_dir / "jetstream" / "$SYS").is_dir():
        raise RekeyError(f"{store_dir} is not a cluster node's JetStream store_dir (no "
                         "jetstream/$SYS in it)")
    refuse_if_running(conf)


def empty_node(conf: Path, store_dir: Path, secrets_dir: Path) -> dict:
    """A stopped node made ready to start under the new key: its store moved aside until
    ``finish``, an empty one made in its place with the same owner and mode, and its
    configuration given the key. Done twice, the second time changes nothing."""
    _check_node(conf, store_dir)
    key = upcoming_key(secrets_dir)
    old = aside(store_dir)
    if old.exists():
        if config_key(conf) == key:
            return {"config": str(conf), "store_moved_to": str(old), "already": True}
        raise RekeyError(f"{old} is left from an earlier rotation")
    if store_dir.exists():
        mode = store_dir.stat()
        os.rename(store_dir, old)
        try:
            os.mkdir(store_dir, mode.st_mode & 0o7777)
            if (mode.st_uid, mode.st_gid) != (os.getuid(), os.getgid()):
                os.chown(store_dir, mode.st_uid, mode.st_gid)
        except OSError as exc:
            shutil.rmtree(store_dir, ignore_errors=True)
            os.rename(old, store_dir)
            raise RekeyError(f"an empty store in {store_dir}'s place, as its owner: {exc} "
                             "(run as the store's owner or root)") from exc
    set_config_key(conf, key)
    return {"config": str(conf), "store_moved_to": str(old) if old.exists() else None}


def finish(secrets_dir: Path, store_dirs: list[Path]) -> dict:
    """Once restore has checked the cluster: the new key becomes the cluster's
    ``jetstream.key`` (later configurations are written with it), the old key is
    shredded and the old stores moved aside are removed."""
    key, restored = key_file(secrets_dir), secrets_dir / RESTORED
    if not restored.exists() and not retired_key_file(key).exists():
        raise RekeyError("restore has not completed: restore the backup (or abort) first")
    if next_key_file(key).exists():
        commit_key(key)
    removed = []
    for store_dir in store_dirs:
        if aside(store_dir).exists():
            shutil.rmtree(aside(store_dir))
            removed.append(str(aside(store_dir)))
    retire(key)
    restored.unlink(missing_ok=True)
    return {"key_file": str(key), "removed": removed}


def abort(secrets_dir: Path, nodes: list[tuple[Path, Path]], backup_dir: Path | None) -> dict:
    """Every stopped node put back as it was before the rotation (its old store in place,
    the old key in its configuration), the new key shredded and the backup removed."""
    key = key_file(secrets_dir)
    for conf, store_dir in nodes:
        _check_node(conf, store_dir)
    upcoming_key(secrets_dir)
    old_key = read_key(key)
    restored = []
    for conf, store_dir in nodes:
        if aside(store_dir).exists():
            shutil.rmtree(store_dir, ignore_errors=True)
            os.rename(aside(store_dir), store_dir)
            restored.append(str(store_dir))
        set_config_key(conf, old_key)
    if backup_dir is not None and backup_dir.exists():
        shutil.rmtree(backup_dir)
    shred(next_key_file(key))
    (secrets_dir / RESTORED).unlink(missing_ok=True)
    return {"configs": [str(c) for c, _ in nodes], "stores_put_back": restored}
