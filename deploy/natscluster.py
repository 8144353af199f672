"""A NATS cluster for a deployment: one configuration per node, users by NKey.

Each service and the provisioner authenticate with an NKey (an Ed25519 key pair; the
server holds only the public key, the service its seed in a secret file) instead of a
shared password, with the same permissions the local runner's configuration derives
from ``services.common.subjects``. The nodes form a cluster over routes authenticated
by a route password, JetStream's streams are replicated across them (``tessera
provision --replicas 3``), and the HTTP monitoring port, which has no authentication
and lists every connection, is left off. With a TLS bundle, client connections and
routes are TLS only; the nodes present the bundle's certificate to one another.

    tessera nats-config --nodes nats-1,nats-2,nats-3 --out deploy/secrets/nats
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import nkeys

from deploy.natsconf import PROVISIONER_PUBLISH, jetstream_cipher
from deploy.tls import Bundle
from services.common.subjects import MAX_PAYLOAD, PROVISIONER, SERVICES, inbox_prefix, permissions

CLIENT_PORT = 4222
CLUSTER_PORT = 6222
USERS = (*SERVICES, PROVISIONER)


def _q(value: str) -> str:
    return json.dumps(value)


def _list(values: list[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def new_user_seed() -> bytes:
    """A fresh NKey user seed (``SU...``)."""
    return nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER)


def public_key(seed: bytes) -> str:
    pair = nkeys.from_seed(bytearray(seed))
    try:
        return pair.public_key.decode()
    finally:
        pair.wipe()


@dataclass(frozen=True)
class Credentials:
    """What a cluster's nodes and clients need: each user's public NKey, the password
    the nodes' routes use among themselves, and the key each node's JetStream store is
    encrypted with."""

    nkeys: dict[str, str]
    route_password: str
    jetstream_key: str


def write_private(path: Path, data: bytes) -> None:
    """Write a secret file that is never readable by others, not even while written."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    path.chmod(0o600)


def ensure_credentials(directory: Path) -> Credentials:
    """Each user's seed (``<user>.nk``, mode 0600, mounted into that service only), the
    route password and the JetStream key (``jetstream.key``), made where missing and never
    replaced: a replaced seed locks its service out until the configuration is rolled out
    again, and a replaced key leaves the stored streams unreadable."""
    directory.mkdir(parents=True, exist_ok=True)
    public = {}
    for user in USERS:
        path = directory / f"{user}.nk"
        if not path.exists():
            write_private(path, new_user_seed() + b"\n")
        public[user] = public_key(path.read_bytes().strip())
    route = directory / "route-password"
    if not route.exists():
        write_private(route, secrets.token_urlsafe(32).encode() + b"\n")
    store_key = directory / "jetstream.key"
    if not store_key.exists():
        write_private(store_key, secrets.token_hex(32).encode() + b"\n")
    return Credentials(public, route.read_text().strip(), store_key.read_text().strip())


def _user(nkey: str, perms: dict) -> str:
    extra = "\n        allow_responses: true" if perms.get("allow_responses") else ""
    return f"""    {{
      nkey: {_q(nkey)}
      permissions: {{
        publish: {{ allow: {_list(perms['publish'])} }}
        subscribe: {{ allow: {_list(perms['subscribe'])} }}{extra}
      }}
    }}"""


def _tls(bundle: Bundle, indent: str) -> str:
    return (f"{indent}tls {{\n{indent}  cert_file: {_q(str(bundle.cert))}\n"
            f"{indent}  key_file: {_q(str(bundle.key))}\n"
            f"{indent}  ca_file: {_q(str(bundle.ca))}\n{indent}  timeout: 2\n{indent}}}\n")


def mounted(directory: str) -> Bundle:
    """The bundle as a node sees it, mounted at ``directory`` (``ca.pem``, ``server.pem``,
    ``server.key``, as ``deploy.tls.ensure`` names them)."""
    return Bundle(Path(directory) / "ca.pem", Path(directory) / "server.pem",
                  Path(directory) / "server.key")


def render_statefulset(replicas: int, credentials: Credentials, *, service: str = "nats",
                       store_dir: str = "/data/jetstream", tls: Bundle | None = None) -> str:
    """One nats.conf for every pod of a Kubernetes StatefulSet ``service``: each pod is
    ``<service>-<i>`` behind a headless Service of that name, takes its server name from
    ``$POD_NAME``, and lists a route to every pod, its own included (a server recognises
    and drops a route to itself)."""
    nodes = [f"{service}-{i}" for i in range(replicas)]
    text = render_node(nodes[0], nodes, credentials, store_dir=store_dir,
                       route_hosts={n: f"{n}.{service}:{CLUSTER_PORT}" for n in nodes},
                       include_self=True, tls=tls)
    return text.replace(f"server_name: {_q(nodes[0])}", "server_name: $POD_NAME", 1)


def render_node(node: str, nodes: list[str], credentials: Credentials, *,
                store_dir: str = "/data/jetstream", client_port: int = CLIENT_PORT,
                cluster_port: int = CLUSTER_PORT, host: str = "0.0.0.0",  # noqa: S104
                route_hosts: dict[str, str] | None = None,
                cluster_name: str = "tessera", include_self: bool = False,
                tls: Bundle | None = None) -> str:
    """One node's nats.conf. ``nodes`` are the cluster's server names; each route goes to
    ``route_hosts[name]`` (a host:port; default ``name:cluster_port``, as container
    names resolve on a compose network or a headless Service)."""
    if node not in nodes:
        raise ValueError(f"{node} is not one of the cluster's nodes {nodes}")
    users = [_user(credentials.nkeys[s], permissions(s)) for s in SERVICES]
    users.append(_user(credentials.nkeys[PROVISIONER], {
        "publish": PROVISIONER_PUBLISH, "subscribe": [inbox_prefix(PROVISIONER) + ".>"]}))
    hosts = route_hosts or {}
    routes = [f"nats-route://route:{quote(credentials.route_password, safe='')}@"
              f"{hosts.get(n, f'{n}:{cluster_port}')}" for n in nodes
              if include_self or n != node]
    return f"""# Generated by `tessera nats-config` from services/common/subjects.py; do not edit.
server_name: {_q(node)}
listen: {_q(f'{host}:{client_port}')}
max_payload: {MAX_PAYLOAD}
{_tls(tls, "") if tls else ""}jetstream {{
  store_dir: {_q(store_dir)}
  sync_interval: always
{jetstream_cipher(credentials.jetstream_key, "  ")}}}
cluster {{
  name: {_q(cluster_name)}
  listen: {_q(f'{host}:{cluster_port}')}
{_tls(tls, "  ") if tls else ""}  authorization {{
    user: "route"
    password: {_q(credentials.route_password)}
  }}
  routes: {_list(routes)}
}}
authorization {{
  users: [
{chr(10).join(users)}
  ]
}}
"""


def write_cluster(out: Path, nodes: list[str], secrets_dir: Path, **kwargs) -> list[Path]:
    """Each node's configuration as ``out/<node>.conf`` (it holds the route password and
    the JetStream key: mode 0600)."""
    credentials = ensure_credentials(secrets_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for node in nodes:
        path = out / f"{node}.conf"
        write_private(path, render_node(node, nodes, credentials, **kwargs).encode())
        written.append(path)
    return written
