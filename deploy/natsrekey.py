"""Rotate the key a JetStream store is encrypted with (`tessera jetstream-rekey`).

nats-server accepts a ``prev_encryption_key`` beside ``key`` and, started with both,
re-encrypts a store under the new key, but not all of it: each stream holding messages
is carried over, while a stream never written to and every durable consumer fail to
open and are dropped (``tests/deploy/test_jetstream_rekey.py`` pins this). The rotation
is built instead on nats-server's snapshot and restore of a stream with its consumers'
state, compared before and after.

This module holds what both rotations share and the rotation of one stopped server (the
local runner's): its store is moved aside and two private servers start on loopback, one
on the old store under the old key, one on an empty store under the new key; each
stream's snapshot is piped into the restore, chunk by chunk. Once every stream's state
and every consumer's position agree, the new key takes the key file's place in one
rename and the old store and key are removed. What is on disk says how far a rotation
got, so one interrupted, even killed, is undone or completed by the next
(``settle``). ``deploy.natsrekey_cluster`` rotates a cluster.
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
import time
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import nats.errors

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
RUN = ".rekey-run"        # the private servers' configurations and pid files (0700)
NEXT = ".next"            # the new key, beside the key it is to replace
RETIRED = ".retired"      # the old key, once replaced, until the old store is gone
KEY_LINE = re.compile(r'^(\s*key: )"([^"\n]*)"[ \t]*$', re.M)


class RekeyError(Exception):
    """The rotation cannot go on; what it changed on disk is undone."""


class ApiError(RekeyError):
    """An error answer from the JetStream API, with nats-server's error code."""

    def __init__(self, message: str, code: int | None):
        super().__init__(message)
        self.code = code


def aside(store_dir: Path) -> Path:
    return store_dir.with_name(store_dir.name + ASIDE)


def run_dir(store_dir: Path) -> Path:
    return store_dir.with_name(store_dir.name + RUN)


def next_key_file(key_file: Path) -> Path:
    return key_file.with_name(key_file.name + NEXT)


def retired_key_file(key_file: Path) -> Path:
    return key_file.with_name(key_file.name + RETIRED)


# how a server, a connection or the disk gives out mid-rotation, reported as RekeyError
FAILURES = (nats.errors.Error, RuntimeError, TimeoutError, OSError)


def failure(exc: BaseException) -> RekeyError:
    return RekeyError(f"{type(exc).__name__}: {exc}".rstrip(": "))


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


def _sync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new_key(path: Path) -> str:
    """A fresh 256-bit key in a file made 0600, never over an existing one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    key = new_key()
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    _sync_dir(path.parent)
    return key


def read_key(path: Path) -> str:
    key = path.read_text().strip()
    if not key:
        raise RekeyError(f"{path} is empty")
    return key


def commit_key(key_file: Path) -> None:
    """The new key (``.next``) takes the key file's place in one rename; the old key
    keeps a second name, ``.retired``, until the store it opened is gone."""
    retired = retired_key_file(key_file)
    if not retired.exists():
        os.link(key_file, retired)
    os.replace(next_key_file(key_file), key_file)
    _sync_dir(key_file.parent)


def drop_second_name(key_file: Path) -> None:
    """Remove ``.retired`` where it is only a second name of the key file (the rename that
    would have replaced it never happened)."""
    retired = retired_key_file(key_file)
    if retired.exists() and retired.samefile(key_file):
        retired.unlink()


def retire(key_file: Path) -> None:
    """The replaced key's bytes overwritten on disk and its file removed."""
    drop_second_name(key_file)
    if retired_key_file(key_file).exists():
        shred(retired_key_file(key_file))


# --- what a server holds ---------------------------------------------------------------


async def api(nc, subject: str, body: dict | None = None, timeout: float = TIMEOUT) -> dict:
    """A JetStream API answer; an error answer raises ApiError."""
    payload = json.dumps(body).encode() if body is not None else b""
    answer = json.loads((await nc.request(API + subject, payload, timeout=timeout)).data)
    if "error" in answer:
        error = answer["error"]
        raise ApiError(f"{subject}: {error.get('description', error)}", error.get("err_code"))
    return answer


async def paged(nc, subject: str, field: str, timeout: float = TIMEOUT) -> list:
    items: list = []
    while True:
        page = await api(nc, subject, {"offset": len(items)}, timeout)
        items += page.get(field) or []
        if not page.get(field) or len(items) >= page.get("total", 0):
            return items


async def stream_names(nc, timeout: float = TIMEOUT) -> list[str]:
    return sorted(await paged(nc, "STREAM.NAMES", "streams", timeout))


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


async def describe(nc, timeout: float = TIMEOUT) -> dict:
    """Every stream's configuration and state, and every consumer's position."""
    out = {}
    for name in await stream_names(nc, timeout):
        info = await api(nc, f"STREAM.INFO.{name}", timeout=timeout)
        consumers = await paged(nc, f"CONSUMER.LIST.{name}", "consumers", timeout)
        out[name] = {
            "config": _without_metadata(info["config"]),
            "state": stream_state(info),
            "consumers": {c["name"]: position(c) for c in consumers},
        }
    return out


def totals(described: dict) -> dict:
    return {"streams": len(described),
            "messages": sum(d["state"]["messages"] for d in described.values()),
            "consumers": sum(len(d["consumers"]) for d in described.values())}


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


# --- snapshot and restore, by nats-server ------------------------------------------------


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
    return await send_chunks(nc, name, target, chunks)


async def send_chunks(nc, name: str, target: str, chunks: AsyncIterator[bytes]) -> dict:
    """A snapshot's chunks, then its end, to a restore under way at ``target``."""
    async for chunk in chunks:
        taken = await _deliver(nc, target, chunk, TIMEOUT)
        if taken.data:
            raise RekeyError(f"the restore of {name} failed: {taken.data[:200]!r}")
    done = json.loads((await _deliver(nc, target, b"", TIMEOUT * 4)).data)
    if "error" in done:
        raise RekeyError(f"the restore of {name} failed: "
                         f"{done['error'].get('description', done['error'])}")
    return done


async def _deliver(nc, target: str, data: bytes, timeout: float):
    """A request to a restore, sent again while no one answers it: in a cluster the
    restore's subscription reaches the other nodes a moment after the restore begins,
    and a request no one received is safe to send again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await nc.request(target, data, timeout=timeout)
        except nats.errors.NoRespondersError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


async def copy_stream(old, new, name: str) -> dict:
    """``name`` with its consumers from ``old`` to ``new``, snapshot chunks piped into the
    restore: nothing is written but by the two servers."""
    async with snapshot(old, name) as (head, chunks):
        return await restore(new, name, head, chunks)


# --- one server: snapshot and restore between two private servers ----------------------


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
        raise RekeyError(f"{store_dir} is a cluster node's store: rotate the cluster's key "
                         "with backup, node, restore and finish (docs/keys.md)")
    others = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name != "$G")
    if others:
        raise RekeyError(f"{store_dir} holds accounts other than the default one: "
                         f"{', '.join(others)}")


def private_config(port: int, store_dir: Path, key: str, password: str,
                   pid_file: Path) -> str:
    """A server only this tool reaches: loopback, a password made for the run, no
    monitoring, the store under ``key``."""
    return (f'listen: "127.0.0.1:{port}"\nserver_name: "tessera-rekey"\n'
            f"pid_file: {json.dumps(str(pid_file))}\n"
            f"jetstream {{\n  store_dir: {json.dumps(str(store_dir))}\n"
            f"  sync_interval: always\n{jetstream_cipher(key, '  ')}}}\n"
            f'authorization {{\n  user: "rekey"\n  password: {json.dumps(password)}\n}}\n')


@contextlib.asynccontextmanager
async def private_server(run: Path, role: str, store_dir: Path, key: str,
                         log_file: Path) -> AsyncIterator:
    """A connection to a nats-server started on ``store_dir`` under ``key``, stopped on
    leaving, and sent SIGTERM if this process dies first. Its configuration, which holds
    the key, and its pid file are in ``run`` (0700) for ``settle`` to find."""
    port, password = natsserver.free_port(), secrets.token_urlsafe(24)
    conf = run / f"{role}.conf"
    write_private(conf, private_config(port, store_dir, key, password,
                                       run / f"{role}.pid").encode())
    try:
        proc = natsserver.start(conf, port, log_file, die_with_parent=True)
    except (RuntimeError, TimeoutError) as exc:
        raise RekeyError(f"the nats-server on the {role} store did not start ({exc}): "
                         f"see {log_file}") from exc
    try:
        nc = await nats.connect(f"nats://127.0.0.1:{port}", user="rekey", password=password,
                                allow_reconnect=False, connect_timeout=5)
        try:
            yield nc
        finally:
            await nc.close()
    finally:
        natsserver.stop(proc)


def _alive(pid: int, run: Path) -> bool:
    """Whether ``pid`` is still a nats-server started with a configuration in ``run``."""
    try:
        return str(run) in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def _no_servers_left(run: Path, wait: float = 10.0) -> None:
    """Wait for any private server of an interrupted rotation to exit; refuse while one
    still runs, since it writes to the stores."""
    if not run.is_dir():
        return
    pids = [int(p.read_text().strip()) for p in run.glob("*.pid")
            if p.read_text().strip().isdigit()]
    deadline = time.monotonic() + wait
    while (left := [pid for pid in pids if _alive(pid, run)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    if left:
        raise RekeyError(f"nats-server {', '.join(map(str, left))}, started by an interrupted "
                         f"rotation, still runs on the stores: stop it, then run again")


def settle(store_dir: Path, key_file: Path, conf: Path | None) -> str | None:
    """Undo or complete a rotation by what it left on disk. While the new key is still
    ``.next``, the old key is the key file's and the old store goes back in its place;
    once it has taken the key file's place, the rotation is completed: the configuration
    given the new key, the old store removed, the old key shredded."""
    _no_servers_left(run_dir(store_dir))
    upcoming, old = next_key_file(key_file), aside(store_dir)
    if upcoming.exists():
        if old.exists():
            shutil.rmtree(store_dir, ignore_errors=True)
            os.rename(old, store_dir)
        drop_second_name(key_file)
        shred(upcoming)
        outcome = "undone"
    elif retired_key_file(key_file).exists():
        if conf is not None and conf.exists():
            set_config_key(conf, read_key(key_file))
        shutil.rmtree(old, ignore_errors=True)
        retire(key_file)
        outcome = "completed"
    elif old.exists():
        raise RekeyError(f"{old} is left beside the store with no rotation under way: it "
                         f"is not known which key opens it; move it elsewhere and run again")
    else:
        outcome = None
    shutil.rmtree(run_dir(store_dir), ignore_errors=True)
    return outcome


async def copy_all(run: Path, old_dir: Path, store_dir: Path, old_key: str, key: str,
                   log_file: Path, expected: dict[str, set[str]]) -> dict:
    """Every stream of the store in ``old_dir`` (under ``old_key``) copied into an empty
    store in ``store_dir`` (under ``key``) and compared; the old store's description."""
    async with private_server(run, "old", old_dir, old_key, log_file) as old, \
            private_server(run, "new", store_dir, key, log_file) as new:
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


def unopened(expected: dict[str, set[str]], described: dict) -> list[str]:
    """The streams and consumers on disk a server did not load (a key that does not
    open them, or damage)."""
    out = [f"stream {s}" for s in sorted(set(expected) - set(described))]
    return out + [f"consumer {s}/{c}" for s in sorted(set(expected) & set(described))
                  for c in sorted(expected[s] - set(described[s]["consumers"]))]


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


def refuse_if_running(conf: Path | None) -> None:
    if conf is not None and conf.exists() and (address := listen_address(conf)) \
            and answering(*address):
        raise RekeyError(f"nats-server answers on {address[0]}:{address[1]}: stop it (and "
                         "the federation) first")


def rotate_standalone(store_dir: Path, key_file: Path, conf: Path | None,
                      log_file: Path) -> dict:
    """The whole rotation of one stopped server: its store re-encrypted and checked, the
    key file and the configuration given the new key, the old store and key removed. On
    any failure the store and the key file are as they were."""
    refuse_if_running(conf)
    if conf is not None and conf.exists():
        config_key(conf)  # a configuration without one runs the store unencrypted
    interrupted = settle(store_dir, key_file, conf)
    check_standalone(store_dir)
    old_key = read_key(key_file)
    key = write_new_key(next_key_file(key_file))
    try:
        os.mkdir(run_dir(store_dir), 0o700)
        before = {}
        if store_dir.exists():
            expected = on_disk(store_dir)
            os.rename(store_dir, aside(store_dir))
            before = asyncio.run(copy_all(run_dir(store_dir), aside(store_dir), store_dir,
                                          old_key, key, log_file, expected))
        commit_key(key_file)
    except BaseException as exc:
        settle(store_dir, key_file, conf)
        if isinstance(exc, FAILURES) and not isinstance(exc, RekeyError):
            raise failure(exc) from exc
        raise
    settle(store_dir, key_file, conf)
    return {"store": str(store_dir), **totals(before), "key_file": str(key_file),
            **({"interrupted_rotation": interrupted} if interrupted else {})}
