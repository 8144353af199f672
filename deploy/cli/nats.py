"""`tessera nats-config`, `provision` and `jetstream-rekey`: a NATS cluster's files, its
streams, and its JetStream key (docs/operations.md, docs/keys.md)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Literal

import typer

from deploy.cli.context import Exit, Fail, options
from deploy.layout import Layout


def nats_config(
    out: Annotated[Path, typer.Option(help="directory for <node>.conf")],
    secrets: Annotated[Path, typer.Option(
        help="directory for each service's NKey seed (<service>.nk) and the route "
             "password; existing ones are kept")],
    nodes: Annotated[str, typer.Option(
        help="the nodes' names, comma-separated, as they resolve to one another")]
    = "nats-1,nats-2,nats-3",
    store_dir: Annotated[str, typer.Option(help="JetStream's directory on each node")]
    = "/data/jetstream",
    kubernetes: Annotated[bool, typer.Option(
        "--kubernetes", help="one nats.conf for a StatefulSet named nats behind a headless "
        "Service nats (pods nats-0, nats-1, ...; server name from $POD_NAME)")] = False,
    replicas: Annotated[Literal["3", "5"], typer.Option(
        help="the StatefulSet's replicas, with --kubernetes")] = "3",
    tls: Annotated[Path | None, typer.Option(
        metavar="DIR", help="TLS for clients and routes with ca.pem, server.pem and "
        "server.key in DIR (a development CA and certificate are made there if absent)")]
    = None,
    tls_mount: Annotated[str, typer.Option(help="where each node finds those files")]
    = "/etc/nats/tls",
) -> None:
    """Write a NATS cluster's configuration: one file per node, services known by NKey,
    routes between the nodes."""
    from deploy import natscluster

    count = int(replicas)
    mounted = None
    if tls is not None:
        from deploy import tls as certificates

        names = ([f"nats-{i}.nats" for i in range(count)] + ["nats"]
                 if kubernetes else nodes.split(","))
        # a council's own bundle in that directory is used as it is
        certificates.ensure(tls, (*names, "localhost", "127.0.0.1"), client_auth=True)
        mounted = natscluster.mounted(tls_mount)
    if kubernetes:
        credentials = natscluster.ensure_credentials(secrets)
        out.mkdir(parents=True, exist_ok=True)
        path = out / "nats.conf"
        natscluster.write_private(path, natscluster.render_statefulset(
            count, credentials, store_dir=store_dir, tls=mounted).encode())
        print(json.dumps({"configs": [str(path)], "secrets": str(secrets)}))
        return
    names = [n.strip() for n in nodes.split(",") if n.strip()]
    if len(names) < 3 or len(set(names)) != len(names):
        raise Fail("--nodes takes three or more distinct node names (JetStream "
                   "replication needs a majority to stay up when one is lost)", Exit.USAGE)
    written = natscluster.write_cluster(out, names, secrets, store_dir=store_dir, tls=mounted)
    print(json.dumps({"configs": [str(p) for p in written], "secrets": str(secrets)}))


NkeyFile = Annotated[Path | None, typer.Option(help="the provisioner's NKey seed")]
PasswordFile = Annotated[Path | None, typer.Option(help="the provisioner's password")]
TlsCa = Annotated[Path | None, typer.Option(help="CA bundle when NATS requires TLS")]


def provision(
    url: Annotated[str, typer.Option(
        help="the NATS servers, comma-separated (nats://nats-1:4222,...)")],
    nkey_file: NkeyFile = None,
    password_file: PasswordFile = None,
    replicas: Annotated[Literal["1", "3", "5"], typer.Option(
        help="copies of every stream across the cluster's nodes")] = "1",
    tls_ca: TlsCa = None,
) -> None:
    """Create or update the streams and consumers (--nkey-file for a cluster,
    --password-file for one server)."""
    from services.common.provisioning import provision as provisioned

    if (nkey_file is None) == (password_file is None):
        raise Fail("one of --nkey-file (a cluster) or --password-file (one server)",
                   Exit.USAGE)
    password = password_file.read_text().strip() if password_file else ""
    asyncio.run(provisioned(url, password, replicas=int(replicas), tls_ca_file=tls_ca,
                            nkey_file=nkey_file))
    print(json.dumps({"provisioned": url, "replicas": int(replicas)}))


rekey = typer.Typer(
    no_args_is_help=True,
    help="Encrypt the JetStream store under a new key: local (a stopped `tessera run` "
         "store), or a cluster in one window: backup, node (each stopped node), restore "
         "(the nodes started again), finish; abort before finish (docs/keys.md).")

Secrets = Annotated[Path, typer.Option(
    help="the cluster's secrets directory (`tessera nats-config --secrets`): backup makes "
         "the new key there, jetstream.key.next; finish puts it in jetstream.key's place")]
Backup = Annotated[Path, typer.Option(
    help="the directory backup makes (0700; every stream sealed under the new key) and "
         "restore reads, then removes")]
Configs = Annotated[list[Path], typer.Option(
    "--config", help="a stopped node's configuration (repeat with abort, each with its "
    "--store-dir in the same order)")]
Stores = Annotated[list[Path], typer.Option(
    "--store-dir", help="a node's JetStream store_dir as this machine sees it (repeat for "
    "each node)")]
Url = Annotated[str, typer.Option(help="the cluster's servers, comma-separated")]
Timeout = Annotated[float, typer.Option(
    help="seconds to wait for the cluster to form (restore: and every copy to be current)")]


def _done(action: str, work) -> None:
    from deploy import natsrekey

    try:
        done = work()
    except (natsrekey.RekeyError, OSError) as exc:
        raise Fail(f"jetstream-rekey {action}: {exc}") from None
    print(json.dumps(done))


@rekey.command()
def local() -> None:
    """The store of a stopped `tessera run` (its var directory)."""
    from deploy import natsrekey

    def work():
        layout = Layout(options().var)
        layout.logs.mkdir(parents=True, exist_ok=True)
        return natsrekey.rotate_standalone(layout.jetstream, layout.jetstream_key,
                                           layout.nats_conf, layout.logs / "nats-rekey.log")
    _done("local", work)


def _network(action: str, url: str, secrets: Path, backup: Path, nkey_file, password_file,
             tls_ca, timeout: float) -> None:
    from deploy import natsrekey, natsrekey_cluster

    def work():
        if not (nkey_file or password_file):
            raise natsrekey.RekeyError("--nkey-file or --password-file: the provisioner's")
        return asyncio.run(natsrekey_cluster.over_the_network(
            action, url=url, secrets_dir=secrets, directory=backup, nkey_file=nkey_file,
            tls_ca=tls_ca, password=(password_file.read_text().strip()
                                     if password_file else ""), timeout=timeout))
    _done(action, work)


@rekey.command("backup")
def backup_command(url: Url, secrets: Secrets, backup: Backup, nkey_file: NkeyFile = None,
                   password_file: PasswordFile = None, tls_ca: TlsCa = None,
                   timeout: Timeout = 300.0) -> None:
    """Seal every stream under a new key into --backup, the cluster running."""
    _network("backup", url, secrets, backup, nkey_file, password_file, tls_ca, timeout)


@rekey.command()
def restore(url: Url, secrets: Secrets, backup: Backup, nkey_file: NkeyFile = None,
            password_file: PasswordFile = None, tls_ca: TlsCa = None,
            timeout: Timeout = 300.0) -> None:
    """Restore the streams into the nodes started again under the new key."""
    _network("restore", url, secrets, backup, nkey_file, password_file, tls_ca, timeout)


@rekey.command()
def node(config: Configs, store_dir: Stores, secrets: Secrets) -> None:
    """Give one stopped node the new key and move its store aside."""
    from deploy import natsrekey, natsrekey_cluster

    def work():
        if len(config) != 1 or len(store_dir) != 1:
            raise natsrekey.RekeyError("one --store-dir for each --config (node takes one)")
        return natsrekey_cluster.empty_node(config[0], store_dir[0], secrets)
    _done("node", work)


@rekey.command()
def finish(secrets: Secrets, store_dir: Stores) -> None:
    """Put the new key in jetstream.key's place and remove what was moved aside."""
    from deploy import natsrekey_cluster

    _done("finish", lambda: natsrekey_cluster.finish(secrets, list(store_dir)))


@rekey.command()
def abort(config: Configs, store_dir: Stores, secrets: Secrets,
          backup: Annotated[Path | None, typer.Option(help="the backup to remove")] = None,
          ) -> None:
    """Before finish: give each node its old key and store back."""
    from deploy import natsrekey, natsrekey_cluster

    def work():
        if len(config) != len(store_dir):
            raise natsrekey.RekeyError("one --store-dir for each --config")
        return natsrekey_cluster.abort(secrets, list(zip(config, store_dir, strict=True)),
                                       backup)
    _done("abort", work)


def register(app: typer.Typer) -> None:
    app.command("nats-config", rich_help_panel="Keys and NATS")(nats_config)
    app.command(rich_help_panel="Keys and NATS")(provision)
    app.add_typer(rekey, name="jetstream-rekey", rich_help_panel="Keys and NATS")
