"""Start the whole federation locally: nats-server, migrations, one process per service
(or, with ``replicas``, several of each slice that may scale, behind HAProxy on the
service's usual port: ``deploy.balancer``).

Used by `make run` (through `tessera run`) and by the end-to-end tests, so the
tests exercise exactly what a new user starts.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from deploy import balancer, keys, natsconf, natsserver
from deploy.layout import NATS_PORT, PORTS, Layout
from services.common import provisioning
from services.common.db import read_database_key, sqlite_connect
from services.common.health import unready
from services.common.settings import read_secret_file
from services.common.signing import public_key_path
from services.common.subjects import PROVISIONER, SERVICES
from services.pseudonymiser.roles import WRITER_ROUTES, writer_ready_mark

REPO = Path(__file__).resolve().parent.parent

MODULES = {
    "gateway": "gateway",
    "pseudonymiser": "services.pseudonymiser",
    "linker": "services.linker",
    "scorer": "services.scorer",
    "reidentify": "services.reidentify",
    "consent": "services.consent",
    "console": "services.console",
    "signin": "deploy.signin",
}

# every slice may run as several processes on one database and one NATS
# (docs/operations.md, "Replicas"); of the pseudonymiser's, one is the linkage writer
SCALABLE = SERVICES
# the routes only one replica serves, and what its /readyz says (deploy/balancer.py)
WRITERS = {"pseudonymiser": (WRITER_ROUTES, writer_ready_mark())}


def service_of(instance: str) -> str:
    """The service an instance is a process of ("reidentify-2" -> "reidentify")."""
    return instance.split("-", 1)[0]


def _run(coro) -> None:
    """Run a coroutine to completion, also when called from inside an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coro)
        return
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coro).result()


@dataclass
class Federation:
    layout: Layout
    ports: dict[str, int] = field(default_factory=lambda: dict(PORTS))
    nats_port: int = NATS_PORT
    nats_monitor_port: int | None = None  # NATS monitoring (no authentication): off
    environment: str = "development"
    extra_env: dict[str, dict[str, str]] = field(default_factory=dict)
    observers: dict[str, str] = field(default_factory=dict)
    tls: bool = False
    # three (or five) for a NATS cluster as a deployment runs it (deploy.natscluster):
    # services known by NKey, every stream replicated three times
    nats_nodes: int = 1
    # the JetStream store and each slice's SQLite database encrypted at rest, with the
    # development keys under var/keys, as a deployment must run them
    encrypt_at_rest: bool = True
    # the console and the development sign-in, on these ports (none: not started); every
    # service then answers the console's origin (CORS)
    web_ports: dict[str, int] = field(default_factory=dict)
    # processes of each slice in SCALABLE; more than one puts HAProxy on the usual port
    replicas: int = 1
    # by instance: the service's name for its first process, "<service>-<n>" for the others
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    balancer: subprocess.Popen | None = None
    instance_ports: dict[str, int] = field(default_factory=dict)
    nats: subprocess.Popen | None = None
    nodes: dict[str, subprocess.Popen] = field(default_factory=dict)
    node_ports: dict[str, int] = field(default_factory=dict)

    @property
    def clustered(self) -> bool:
        return self.nats_nodes > 1

    @property
    def nats_url(self) -> str:
        if self.clustered:
            return ",".join(f"nats://127.0.0.1:{p}" for p in self.node_ports.values())
        return f"nats://127.0.0.1:{self.nats_port}"

    @property
    def nkeys_dir(self) -> Path:
        return self.layout.nats_dir / "nkeys"

    def url(self, service: str) -> str:
        """Where a service is reached: its process, or the balancer in front of them."""
        scheme = "https" if self.tls else "http"
        port = self.ports[service] if service in self.ports else self.web_ports[service]
        return f"{scheme}://127.0.0.1:{port}"

    @property
    def console_origins(self) -> list[str]:
        """The console's origins, by address and by name (a browser sends the one it
        was opened with)."""
        if "console" not in self.web_ports:
            return []
        url = self.url("console")
        return [url, url.replace("127.0.0.1", "localhost")]

    def web_env(self, name: str) -> dict[str, str]:
        """The console's or the development sign-in's environment."""
        p = f"TESSERA_{name.upper()}_"
        env = {p + "ENVIRONMENT": self.environment, p + "PORT": str(self.web_ports[name])}
        if name == "console":
            env[p + "SERVICE_URLS"] = json.dumps({s: self.url(s) for s in SERVICES})
            if "signin" in self.web_ports:
                env[p + "ISSUER_URL"] = self.url("signin")
        if name == "signin":
            env[p + "ISSUER_DIR"] = str(self.layout.issuer.resolve())
            env[p + "CLIENTS"] = json.dumps(
                {"tessera-console": [f"{o}/callback" for o in self.console_origins]})
            env[p + "SIGNED_OUT_URIS"] = json.dumps(
                [f"{o}/signed-out" for o in self.console_origins])
        if self.tls:
            bundle = self.tls_bundle
            env[p + "TLS_CERT_FILE"] = str(bundle.cert.resolve())
            env[p + "TLS_KEY_FILE"] = str(bundle.key.resolve())
        env.update(self.extra_env.get(name, {}))
        return env

    def scaled(self, service: str) -> bool:
        return self.replicas > 1 and service in SCALABLE

    def instances(self, service: str) -> list[str]:
        """The names of a service's processes (its own name first)."""
        n = self.replicas if self.scaled(service) else 1
        return [service] + [f"{service}-{i}" for i in range(2, n + 1)]

    def instance_port(self, instance: str) -> int:
        service = service_of(instance)
        if service in self.web_ports:
            return self.web_ports[service]
        if not self.scaled(service):
            return self.ports[service]
        if instance not in self.instance_ports:
            self.instance_ports[instance] = self._unused_port()
        return self.instance_ports[instance]

    def _unused_port(self) -> int:
        """A free port that no process of this federation is given yet: nothing holds a
        free port between two asks, so a second ask may return the first one's."""
        taken = {*self.ports.values(), *self.web_ports.values(),
                 *self.instance_ports.values(), *self.node_ports.values(),
                 self.nats_port, self.nats_monitor_port}
        while (port := natsserver.free_port()) in taken:
            pass
        return port

    def instance_url(self, instance: str) -> str:
        """One process, not the balancer."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.instance_port(instance)}"

    @property
    def tls_bundle(self):
        from deploy import tls

        return tls.ensure(self.layout.root / "tls") if self.tls else None

    @property
    def verify(self):
        """What an HTTP client passes as `verify` to trust the services."""
        if not self.tls:
            return True
        import ssl

        return ssl.create_default_context(cafile=str(self.tls_bundle.ca))

    def _prepare_cluster(self) -> None:
        from deploy import natscluster

        names = [f"nats-{i + 1}" for i in range(self.nats_nodes)]
        if not self.node_ports:
            self.node_ports = {n: (self.nats_port if i == 0 else natsserver.free_port())
                               for i, n in enumerate(names)}
        routes = {n: natsserver.free_port() for n in names}
        credentials = natscluster.ensure_credentials(self.nkeys_dir)
        for name in names:
            natscluster.write_private(self.layout.nats_dir / f"{name}.conf", natscluster.render_node(
                name, names, credentials, host="127.0.0.1",
                store_dir=str((self.layout.nats_dir / f"jetstream-{name}").resolve()),
                client_port=self.node_ports[name], cluster_port=routes[name],
                route_hosts={n: f"127.0.0.1:{routes[n]}" for n in names}).encode())

    def prepare(self) -> None:
        """Keys, NATS config and per-service password files (kept across runs)."""
        if self.clustered and self.tls:
            raise ValueError("a local NATS cluster runs without TLS (deploy.natscluster "
                             "takes a certificate bundle for a deployment's)")
        keys.ensure_keys(self.layout)
        if self.clustered:
            self.layout.nats_dir.mkdir(parents=True, exist_ok=True)
            self._prepare_cluster()
        passwords = json.loads(self.layout.nats_passwords.read_text())
        for service in SERVICES:
            path = self.layout.nats_dir / f"{service}.password"
            path.write_text(passwords[service])
            path.chmod(0o600)
        natsconf.write(self.layout.nats_conf, port=self.nats_port,
                       monitor_port=self.nats_monitor_port,
                       store_dir=self.layout.jetstream.resolve(), passwords=passwords,
                       observers=self.observers, tls=self.tls_bundle,
                       jetstream_key=(read_secret_file(self.layout.jetstream_key)
                                      if self.encrypt_at_rest else None))
        self.layout.logs.mkdir(parents=True, exist_ok=True)
        self.layout.data.mkdir(parents=True, exist_ok=True)

    def service_env(self, service: str) -> dict[str, str]:
        p = f"TESSERA_{service.upper()}_"
        L = self.layout
        env = {
            p + "ENVIRONMENT": self.environment,
            p + "PORT": str(self.ports[service]),
            p + "NATS_URL": self.nats_url,
            **({p + "NATS_NKEY_FILE": str((self.nkeys_dir / f"{service}.nk").resolve())}
               if self.clustered else
               {p + "NATS_PASSWORD_FILE": str((L.nats_dir / f"{service}.password").resolve())}),
            p + "DATABASE_URL": L.database_url(service),
            **({p + "DATABASE_KEY_FILE": str(L.database_key(service).resolve())}
               if self.encrypt_at_rest else {}),
            p + "JWKS_PATH": str(L.jwks.resolve()),
            p + "BUS_KEY_PATH": str(L.bus_key(service).resolve()),
            p + "EVENTS_SIGNING_KEY_PATH": str(L.events_key(service).resolve()),
            p + "PRIVATE_KEY_PASSPHRASE_FILE": str(L.passphrase(service).resolve()),
            p + "BUS_TRUST_PATH": str(L.bus_trust.resolve()),
        }
        if self.console_origins:
            env[p + "CORS_ORIGINS"] = json.dumps(self.console_origins)
        if service == "gateway":
            env[p + "HMAC_KEY_PATH"] = str(L.key("gateway-hmac").resolve())
            env[p + "REGISTRY_PATH"] = str(REPO / "deploy" / "config" / "registry.yaml")
            env[p + "AUDIT_LOG_KEY_PATHS"] = json.dumps(
                [str(public_key_path(L.log_key).resolve())])
        if service == "pseudonymiser":
            env[p + "PERSON_KEY_PATH"] = str(L.key("pseudonym-person").resolve())
            env[p + "HOUSEHOLD_KEY_PATH"] = str(L.key("pseudonym-household").resolve())
        if service == "reidentify":
            env[p + "LOG_SIGNING_KEY_PATH"] = str(L.log_key.resolve())
            env[p + "LOG_PUBLIC_KEY_PATHS"] = json.dumps(
                [str(public_key_path(L.log_key).resolve())])
            env[p + "SIGNED_HEADS_PATH"] = str(
                (L.root / "exports" / "access-log-heads.jsonl").resolve())
        if self.tls:
            bundle = self.tls_bundle
            env[p + "NATS_TLS_CA_FILE"] = str(bundle.ca.resolve())
            env[p + "TLS_CERT_FILE"] = str(bundle.cert.resolve())
            env[p + "TLS_KEY_FILE"] = str(bundle.key.resolve())
        env.update(self.extra_env.get(service, {}))
        return env

    def _env(self, instance: str) -> dict[str, str]:
        service = service_of(instance)
        base = {k: v for k, v in os.environ.items() if not k.startswith("TESSERA_")}
        if service not in SERVICES:
            return {**base, **self.web_env(service), "PYTHONUNBUFFERED": "1"}
        env = {**base, **self.service_env(service), "PYTHONUNBUFFERED": "1"}
        env[f"TESSERA_{service.upper()}_PORT"] = str(self.instance_port(instance))
        if service == "pseudonymiser":  # each replica's own name, and where it answers
            env["TESSERA_PSEUDONYMISER_REPLICA"] = instance
            env["TESSERA_PSEUDONYMISER_REPLICA_URL"] = self.instance_url(instance)
        return env

    def start_node(self, name: str) -> None:
        self.nodes[name] = natsserver.start(self.layout.nats_dir / f"{name}.conf",
                                            self.node_ports[name],
                                            log_file=self.layout.logs / f"{name}.log")

    def kill_node(self, name: str) -> None:
        """kill -9 of one node of the cluster (fault tests)."""
        proc = self.nodes.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def start_nats(self) -> None:
        if self.clustered:
            for name in self.node_ports:
                self.start_node(name)
            deadline = time.monotonic() + 60  # the nodes elect a JetStream leader first
            while True:
                try:
                    _run(provisioning.provision(
                        self.nats_url, replicas=3,
                        nkey_file=self.nkeys_dir / f"{PROVISIONER}.nk"))
                    return
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
        self.nats = natsserver.start(self.layout.nats_conf, self.nats_port,
                                     log_file=self.layout.logs / "nats.log")
        passwords = json.loads(self.layout.nats_passwords.read_text())
        _run(provisioning.provision(self.nats_url, passwords[PROVISIONER],
                                 tls_ca_file=self.tls_bundle.ca if self.tls else None))

    def database(self, service: str, *, readonly: bool = True, **kwargs):
        """A sqlite3-compatible connection to a slice's SQLite database (SQLCipher with
        its key when encrypted), for tests, benchmarks and inspection."""
        path = self.layout.data / f"{service}.db"
        key = read_database_key(self.layout.database_key(service)) \
            if self.encrypt_at_rest else None
        if readonly:
            return sqlite_connect(f"file:{path}?mode=ro", key, uri=True, **kwargs)
        return sqlite_connect(path, key, **kwargs)

    def start_balancer(self) -> None:
        """HAProxy on each scaled service's usual port, in front of its processes (with
        the writer's routes sent to the writer)."""
        pools = [balancer.Pool(service, self.ports[service],
                               tuple(self.instance_port(i) for i in self.instances(service)),
                               *WRITERS.get(service, ()))
                 for service in SERVICES if self.scaled(service)]
        if not pools:
            return
        conf = self.layout.root / "haproxy" / "haproxy.cfg"
        terminated = None
        if self.tls and any(pool.routed for pool in pools):
            terminated = balancer.terminate(conf.parent, self.tls_bundle)
        self.balancer = balancer.start(conf, pools, tls=self.tls, terminated=terminated,
                                       log_file=self.layout.logs / "haproxy.log")

    def migrate(self, service: str) -> None:
        with open(self.layout.logs / f"{service}.log", "ab") as log:
            subprocess.run([sys.executable, "-m", MODULES[service], "migrate"],
                           env=self._env(service), cwd=REPO, check=True,
                           stdout=log, stderr=subprocess.STDOUT)

    def start_service(self, instance: str) -> subprocess.Popen:
        """One process: a service's only one, or one of its replicas by instance name."""
        log = open(self.layout.logs / f"{instance}.log", "ab")  # noqa: SIM115
        proc = subprocess.Popen([sys.executable, "-m", MODULES[service_of(instance)], "serve"],
                                env=self._env(instance), cwd=REPO, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[instance] = proc
        return proc

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        pending = set(self.procs)
        why: dict[str, str] = {}  # what each pending service's /readyz last said
        while pending:
            for instance in list(pending):
                proc = self.procs[instance]
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"{instance} exited with {proc.returncode}; see "
                        f"{self.layout.logs / (instance + '.log')}")
                try:
                    r = httpx.get(self.instance_url(instance) + "/readyz", timeout=1.0,
                                  verify=self.verify)
                    if r.status_code == 200:
                        pending.discard(instance)
                    else:
                        why[instance] = f"{r.status_code} {unready(r.content)}"
                except httpx.HTTPError:
                    why[instance] = "/readyz does not answer"
            if pending and time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {timeout}s: " + ", ".join(
                    f"{s} ({why.get(s, 'not asked')}; see "
                    f"{self.layout.logs / (s + '.log')})" for s in sorted(pending)))
            if pending:
                time.sleep(0.2)

    def start_services(self) -> None:
        """Migrations, then every service's first process; once they are ready (their
        start-up seeding done once), the other replicas and the balancer."""
        try:
            for service in SERVICES:
                self.migrate(service)
            for service in SERVICES:
                self.start_service(service)
            self.wait_ready()
            for service in SERVICES:
                for instance in self.instances(service)[1:]:
                    self.start_service(instance)
            self.wait_ready()
            self.start_balancer()
            for name in self.web_ports:
                self.start_service(name)
            self.wait_ready()
        except BaseException:
            self.stop()
            raise

    def start(self) -> None:
        self.prepare()
        self.start_nats()
        self.start_services()

    def stop_service(self, instance: str, sig: int = signal.SIGTERM,
                     timeout: float = 15) -> None:
        proc = self.procs.pop(instance, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def kill(self, instance: str) -> None:
        """kill -9: no shutdown handlers, no acks, no flushes (fault tests)."""
        self.stop_service(instance, sig=signal.SIGKILL)

    def restart(self, instance: str, timeout: float = 60.0) -> None:
        self.start_service(instance)
        self.wait_ready(timeout)

    def restart_nats(self) -> None:
        """Stop and start nats-server on the same port and store (fault tests)."""
        if self.nats and self.nats.poll() is None:
            self.nats.terminate()
            self.nats.wait(timeout=15)
        self.nats = natsserver.start(self.layout.nats_conf, self.nats_port,
                                     log_file=self.layout.logs / "nats.log")

    def stop(self) -> None:
        if self.balancer is not None and self.balancer.poll() is None:
            self.balancer.terminate()
            try:
                self.balancer.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.balancer.kill()
        self.balancer = None
        for service in list(self.procs):
            proc = self.procs[service]
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for service in list(self.procs):
            self.stop_service(service)
        for proc in [self.nats, *self.nodes.values()]:
            if proc is None or proc.poll() is not None:
                continue
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.nats = None
        self.nodes.clear()
