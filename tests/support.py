"""Test support: a real nats-server with the generated config, provisioned streams, keys."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

from deploy import keys, natsconf, natsserver
from deploy.layout import Layout
from services.common import bus, provisioning, subjects
from services.common import messages as m
from services.common.settings import read_secret_file
from services.common.signing import public_key_path
from services.common.subjects import PROVISIONER
from services.common.tokens import current_signing_key, mint
from services.common.trust import Keyring

ISSUER = "https://issuer.tessera.local"


@dataclass
class NatsEnv:
    layout: Layout
    port: int
    proc: subprocess.Popen
    passwords: dict[str, str]

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    async def connect(self, service: str, error_cb=None):
        return await bus.connect(url=self.url, service=service, user=service,
                                 password=self.passwords[service], error_cb=error_cb)

    def settings_kwargs(self, service: str, database_url: str | None = None) -> dict:
        """Keyword arguments every service's settings class accepts."""
        return {
            "environment": "test",
            "nats_url": self.url,
            "nats_user": service,
            "nats_password": self.passwords[service],
            "database_url": database_url or self.layout.database_url(service),
            "jwks_path": self.layout.jwks,
            "token_issuer": ISSUER,
            "bus_key_path": self.layout.bus_key(service),
            "private_key_passphrase_file": self.layout.passphrase(service),
            "bus_trust_path": self.layout.bus_trust,
            "events_signing_key_path": self.layout.events_key(service),
            # the gateway keeps heads signed with reidentify's development log key
            "audit_log_key_paths": [public_key_path(self.layout.log_key)],
        }

    async def bus(self, service: str, error_cb=None) -> bus.Bus:
        """A connection with this service's credentials and signing key, to publish as it
        would (``.nc`` is the connection: close it when done)."""
        nc = await self.connect(service, error_cb=error_cb)
        return bus.Bus(nc, service, Keyring.load(service, self.layout.bus_key(service),
                                                 self.layout.bus_trust,
                                                 self.layout.passphrase(service)))

    def token(self, service: str, *, subject: str = "tester", lifetime_s: int = 600,
              **claims) -> str:
        kid, pem = current_signing_key(self.layout.issuer)
        return mint(pem, kid, issuer=ISSUER, audience=f"tessera-{service}",
                    subject=subject, lifetime_s=lifetime_s, **claims)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def start_nats_async(root: Path, *, encrypted: bool = True) -> NatsEnv:
    """`encrypted`: the JetStream store encrypted at rest, as `make run` and a deployment
    run it."""
    layout = Layout(root)
    keys.ensure_keys(layout)
    passwords = json.loads(layout.nats_passwords.read_text())
    port = natsserver.free_port()
    natsconf.write(layout.nats_conf, port=port, monitor_port=None,
                   store_dir=layout.jetstream, passwords=passwords,
                   jetstream_key=read_secret_file(layout.jetstream_key) if encrypted else None)
    layout.logs.mkdir(parents=True, exist_ok=True)
    proc = natsserver.start(layout.nats_conf, port, log_file=layout.logs / "nats.log")
    env = NatsEnv(layout, port, proc, passwords)
    await provisioning.provision(env.url, passwords[PROVISIONER])
    return env


async def eventually(check, timeout: float = 15.0, interval: float = 0.1):
    """Poll an async or sync predicate until it returns a truthy value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)


_sequences = itertools.count(1)


def sequence() -> int:
    """The next sequence for a profile or consent decision a test stands in for the
    linker or consent to publish: larger than every one given before in this process."""
    return next(_sequences)


async def send(peer: bus.Bus, subject: str, message, msg_id: str | None = None):
    """Publish `message` on a concrete subject as `peer`'s service, signed (tests that stand
    in for a service publish this way)."""
    payload = bus.encode(message)
    return await peer.js.publish(subject, payload,
                                 headers=peer.headers_for(subject, payload,
                                                          msg_id or uuid.uuid4().hex))


async def close(*peers) -> None:
    """Close test connections (a Bus or a NATS client), none waiting longer than 10 s."""
    for peer in peers:
        nc = getattr(peer, "nc", peer)
        try:
            await asyncio.wait_for(nc.close(), 10)
        except TimeoutError:
            pass  # the server is going anyway; a hung close must not hang the suite


CLUSTER_NODES = ["nats-1", "nats-2", "nats-3"]


class NatsCluster:
    """Three real nats-server processes from `tessera nats-config`'s files, with TLS and
    mutual TLS on routes, on free ports in ``root``, each with its own store. ``monitor``
    opens each node's monitoring port (off in a deployment) to read its own copies."""

    def __init__(self, root: Path, *, monitor: bool = False):
        from deploy import natscluster, tls

        self.root, self.secrets = root, root / "secrets"
        credentials = natscluster.ensure_credentials(self.secrets)
        self.bundle = tls.ensure(root / "tls", ("127.0.0.1", "localhost"), client_auth=True)
        self.client = {n: natsserver.free_port() for n in CLUSTER_NODES}
        route = {n: natsserver.free_port() for n in CLUSTER_NODES}
        self.monitor = {n: natsserver.free_port() for n in CLUSTER_NODES} if monitor else {}
        self.procs: dict[str, subprocess.Popen] = {}
        (root / "conf").mkdir()
        for node in CLUSTER_NODES:
            text = natscluster.render_node(
                node, CLUSTER_NODES, credentials, store_dir=str(self.store(node)),
                client_port=self.client[node], cluster_port=route[node], host="127.0.0.1",
                route_hosts={n: f"127.0.0.1:{route[n]}" for n in CLUSTER_NODES},
                tls=self.bundle)
            if monitor:
                text = f'http: "127.0.0.1:{self.monitor[node]}"\n' + text
            natscluster.write_private(self.conf(node), text.encode())

    @property
    def ca(self) -> Path:
        return self.bundle.ca

    @property
    def urls(self) -> dict[str, str]:
        return {n: f"nats://127.0.0.1:{p}" for n, p in self.client.items()}

    @property
    def url(self) -> str:
        return ",".join(self.urls.values())

    def conf(self, node: str) -> Path:
        return self.root / "conf" / f"{node}.conf"

    def store(self, node: str) -> Path:
        return self.root / "store" / node

    def nkey(self, service: str) -> Path:
        return self.secrets / f"{service}.nk"

    def start(self, *nodes: str) -> None:
        for node in nodes or CLUSTER_NODES:
            self.procs[node] = natsserver.start(self.conf(node), self.client[node],
                                                self.root / f"{node}.log")

    def stop(self, *nodes: str) -> None:
        for node in nodes or list(self.procs):
            natsserver.stop(self.procs.pop(node))

    def kill_all(self) -> None:
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        self.procs.clear()

    async def connect(self, service: str):
        return await bus.connect(url=self.url, service=service, user="", password="",
                                 nkey_file=self.nkey(service), tls_ca_file=self.ca)

    async def provision(self, replicas: int = 3) -> None:
        """`tessera provision`, as an operator runs it, once the nodes have elected a
        metadata leader."""
        from deploy.cli import main

        for attempt in range(60):
            try:
                assert await asyncio.to_thread(main, [
                    "provision", "--url", self.url, "--replicas", str(replicas), "--tls-ca",
                    str(self.ca), "--nkey-file", str(self.nkey(PROVISIONER))]) == 0
                return
            except Exception:
                if attempt == 59:
                    raise
                await asyncio.sleep(0.5)


class StandInRegistry:
    """Answers the slices' AgreementsQuery as the gateway's registry would (signed as the
    gateway), from ``notices``, which a test may change; ``asked`` counts the queries."""

    def __init__(self, peer: bus.Bus, notices=()):
        self.peer = peer
        self.notices = list(notices)
        self.asked = 0
        self.sub = None

    async def start(self) -> StandInRegistry:
        self.sub = await self.peer.nc.subscribe(subjects.AGREEMENT_STATE.subject,
                                                queue="gateway", cb=self._answer)
        await self.peer.nc.flush()
        return self

    async def _answer(self, msg) -> None:
        query = self.peer.receive(subjects.AGREEMENT_STATE, msg.subject, msg.data, msg.headers)
        self.asked += 1
        page = sorted((n for n in self.notices if n.agreement > query.after),
                      key=lambda n: n.agreement)[:query.limit]
        await self.peer.respond(msg, m.AgreementsPage(agreements=page))

    async def stop(self) -> None:
        if self.sub is not None:
            await self.sub.unsubscribe()
            self.sub = None
