"""`tessera`: run the federation, mint development tokens, run the demo."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from datetime import date
from pathlib import Path

from deploy import admin
from deploy.layout import NATS_MONITOR_PORT, PORTS, WEB_PORTS, Layout
from services.common.subjects import SERVICES
from services.common.tokens import current_signing_key, mint

ISSUER = "https://issuer.tessera.local"
DISTRICTS = ["OL1", "OL2", "OL4", "OL8", "OL9"]


def token_factory(layout: Layout, issuer: str = ISSUER):
    """Mint tokens with the local development issuer key (var/keys/issuer), as
    ``issuer`` (a compose deployment's stand-in issuer names itself otherwise)."""

    def factory(service: str, *, subject: str = "dev-user", lifetime_s: int = 600,
                **claims) -> str:
        kid, pem = current_signing_key(layout.issuer)
        return mint(pem, kid, issuer=issuer, audience=f"tessera-{service}",
                    subject=subject, lifetime_s=lifetime_s, **claims)

    return factory


# the wiring `tessera run` owns: a service told otherwise would not find the others
WIRING = ("PORT", "NATS_URL", "NATS_PASSWORD_FILE", "JWKS_PATH", "BUS_KEY_PATH",
          "BUS_TRUST_PATH", "CORS_ORIGINS", "SERVICE_URLS", "ISSUER_URL", "ISSUER_DIR",
          "CLIENTS", "SIGNED_OUT_URIS")


def operator_settings(environ: dict[str, str]) -> dict[str, dict[str, str]]:
    """The operator's TESSERA_<SERVICE>_* settings for each service (a registry file,
    a PostgreSQL URL), except the wiring."""
    out: dict[str, dict[str, str]] = {s: {} for s in (*SERVICES, *WEB_PORTS)}
    for name, value in environ.items():
        for service in out:
            prefix = f"TESSERA_{service.upper()}_"
            if name.startswith(prefix) and name[len(prefix):] not in WIRING:
                out[service][name] = value
    return out


def federation_for(args, environ: dict[str, str] | None = None):
    """The Federation `tessera run` starts: NATS monitoring only with --nats-monitoring,
    and the operator's own service settings from the environment."""
    from deploy.federation import Federation

    monitor = NATS_MONITOR_PORT if args.nats_monitoring else None
    if args.replicas < 1:
        raise SystemExit("--replicas must be at least 1")
    return Federation(Layout(Path(args.var)), tls=args.tls, nats_monitor_port=monitor,
                      extra_env=operator_settings(os.environ if environ is None else environ),
                      web_ports=dict(WEB_PORTS), replicas=args.replicas)


def nats_lines(fed) -> list[str]:
    """What `tessera run` prints about NATS (and, with monitoring, a warning)."""
    if fed.nats_monitor_port is None:
        return [f"  {'nats':<14} {fed.nats_url}   (monitoring off; "
                "tessera run --nats-monitoring turns it on)"]
    url = f"http://127.0.0.1:{fed.nats_monitor_port}"
    return [f"  {'nats':<14} {fed.nats_url}   (monitoring {url})",
            f"  WARNING: NATS monitoring at {url} has no authentication: anyone who can "
            "reach it on this machine sees every connection's user and subscriptions."]


def cmd_run(args) -> int:
    fed = federation_for(args)
    layout = fed.layout
    scaled = "" if fed.replicas == 1 else (
        f" ({fed.replicas} processes of each, behind HAProxy; one pseudonymiser is "
        "the linkage writer)")
    print(f"Starting NATS (JetStream), six services{scaled} and the console; logs in",
          layout.logs)
    stop = {"now": False}

    def _stop(signum, frame):
        stop["now"] = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    fed.start()
    print("\nTessera is running:")
    for service in PORTS:
        print(f"  {service:<14} {fed.url(service)}   (OpenAPI: /docs, /openapi.json)")
    print(f"  {'console':<14} {fed.url('console')}   (sign in with the development "
          f"sign-in at {fed.url('signin')}: pick a role, no password)")
    if args.tls:
        print(f"  TLS on NATS and HTTP; trust the development CA {fed.tls_bundle.ca}")
    for line in nats_lines(fed):
        print(line)
    print("\nMint a development token, for example:")
    print("  .venv/bin/tessera token gateway --partner gp-p81001 --scope ingest")
    print("  .venv/bin/tessera token reidentify --role caseworker --district OL1 "
          "--purpose early-help-triage")
    print("Push a synthetic borough through the gateway:  make demo")
    print("Ctrl-C stops everything; data stays under", layout.root)
    try:
        while not stop["now"]:
            for instance, proc in fed.procs.items():
                if proc.poll() is not None:
                    print(f"{instance} exited with {proc.returncode}; stopping "
                          f"(see {layout.logs / (instance + '.log')})", file=sys.stderr)
                    stop["now"] = True
            time.sleep(0.5)
    finally:
        print("\nStopping...")
        fed.stop()
        print("Stopped.")
    return 0


def cmd_token(args) -> int:
    layout = Layout(Path(args.var))
    claims: dict = {}
    if args.partner:
        claims["partner"] = args.partner
    if args.scope:
        claims["scope"] = args.scope
    if args.role:
        claims["roles"] = args.role
    if args.district:
        claims["districts"] = args.district
    if args.purpose:
        claims["purposes"] = args.purpose
    if args.org:
        claims["org"] = args.org
    print(token_factory(layout, args.issuer)(args.service, subject=args.subject,
                                             lifetime_s=args.lifetime, **claims))
    return 0


def cmd_keys(args) -> int:
    from deploy import keys

    layout = Layout(Path(args.var))
    keys.ensure_keys(layout)
    print(json.dumps({"keys": str(layout.keys), "jwks": str(layout.jwks)}))
    return 0


def cmd_encrypt_key(args) -> int:
    """Rewrite a PEM private key encrypted with a passphrase (a service then reads it
    with private_key_passphrase_file naming the same passphrase file)."""
    from services.common.signing import (
        SigningKeyError,
        is_encrypted_pem,
        load_private_key,
        private_pem,
        read_passphrase,
        write_private,
    )

    path = Path(args.key)
    try:
        if is_encrypted_pem(path.read_bytes()):
            print(f"{path} is already encrypted", file=sys.stderr)
            return 1
        pem = private_pem(load_private_key(path), read_passphrase(Path(args.passphrase_file)))
    except (OSError, SigningKeyError) as exc:
        print(f"encrypt-key: {exc}", file=sys.stderr)
        return 1
    partial = path.with_name(path.name + ".encrypting")
    partial.unlink(missing_ok=True)
    write_private(partial, pem)
    os.replace(partial, path)
    print(json.dumps({"encrypted": str(path)}))
    return 0


def cmd_nats_config(args) -> int:
    from deploy import natscluster

    tls = None
    if args.tls:
        from deploy import tls as certificates

        names = ([f"nats-{i}.nats" for i in range(args.replicas)] + ["nats"]
                 if args.kubernetes else args.nodes.split(","))
        # a council's own bundle in that directory is used as it is
        certificates.ensure(Path(args.tls), (*names, "localhost", "127.0.0.1"),
                            client_auth=True)
        tls = natscluster.mounted(args.tls_mount)
    if args.kubernetes:
        credentials = natscluster.ensure_credentials(Path(args.secrets))
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        path = out / "nats.conf"
        natscluster.write_private(path, natscluster.render_statefulset(
            args.replicas, credentials, store_dir=args.store_dir, tls=tls).encode())
        print(json.dumps({"configs": [str(path)], "secrets": args.secrets}))
        return 0
    nodes = [n.strip() for n in args.nodes.split(",") if n.strip()]
    if len(nodes) < 3 or len(set(nodes)) != len(nodes):
        raise SystemExit("--nodes takes three or more distinct node names (JetStream "
                         "replication needs a majority to stay up when one is lost)")
    written = natscluster.write_cluster(Path(args.out), nodes, Path(args.secrets),
                                        store_dir=args.store_dir, tls=tls)
    print(json.dumps({"configs": [str(p) for p in written], "secrets": args.secrets}))
    return 0


def cmd_jetstream_rekey(args) -> int:
    """Rotate the JetStream key: a stopped local server's store (``local``), or a
    cluster's in one maintenance window (docs/keys.md)."""
    from deploy import natsrekey, natsrekey_cluster

    configs, stores = [Path(c) for c in args.config or ()], [Path(d) for d in args.store_dir or ()]
    try:
        if args.action == "local":
            layout = Layout(Path(args.var))
            layout.logs.mkdir(parents=True, exist_ok=True)
            done = natsrekey.rotate_standalone(
                layout.jetstream, layout.jetstream_key, layout.nats_conf,
                layout.logs / "nats-rekey.log")
        elif args.action in ("node", "abort") and len(configs) != len(stores) or \
                args.action == "node" and len(configs) != 1:
            raise natsrekey.RekeyError("one --store-dir for each --config (node takes one)")
        elif args.action == "node":
            done = natsrekey_cluster.empty_node(configs[0], stores[0], Path(args.secrets))
        elif args.action == "abort":
            done = natsrekey_cluster.abort(Path(args.secrets), list(zip(configs, stores, strict=True)),
                                           Path(args.backup) if args.backup else None)
        elif args.action == "finish":
            done = natsrekey_cluster.finish(Path(args.secrets), stores)
        elif not (args.nkey_file or args.password_file):
            raise natsrekey.RekeyError("--nkey-file or --password-file: the provisioner's")
        else:
            done = asyncio.run(natsrekey_cluster.over_the_network(
                args.action, url=args.url, secrets_dir=Path(args.secrets),
                directory=Path(args.backup), nkey_file=args.nkey_file, tls_ca=args.tls_ca,
                password=(Path(args.password_file).read_text().strip()
                          if args.password_file else ""), timeout=args.timeout))
    except (natsrekey.RekeyError, OSError) as exc:
        print(f"jetstream-rekey {args.action}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(done))
    return 0


def cmd_provision(args) -> int:
    import asyncio

    from services.common.provisioning import provision

    password = Path(args.password_file).read_text().strip() if args.password_file else ""
    asyncio.run(provision(args.url, password, replicas=args.replicas,
                          tls_ca_file=args.tls_ca, nkey_file=args.nkey_file))
    print(json.dumps({"provisioned": args.url, "replicas": args.replicas}))
    return 0


def federation_here(layout: Layout, gateway_url: str) -> str | None:
    """Why the demo cannot talk to a federation of this state directory, or None."""
    import httpx

    if not (layout.issuer / "current").exists():
        return f"no development keys under {layout.root}"
    try:
        httpx.get(f"{gateway_url}/readyz", timeout=5).raise_for_status()
    except httpx.HTTPError:
        return f"the gateway does not answer at {gateway_url}"
    return None


def cmd_demo(args) -> int:
    from deploy.demo import run_demo

    layout = Layout(Path(args.var))
    base = "http://127.0.0.1:{}"
    if reason := federation_here(layout, base.format(PORTS["gateway"])):
        print(f"demo: {reason}. Start the federation first (`make run`, in another "
              "terminal), then run `make demo` again.", file=sys.stderr)
        return 2
    return asyncio.run(run_demo(
        gateway_url=base.format(PORTS["gateway"]),
        scorer_url=base.format(PORTS["scorer"]),
        reidentify_url=base.format(PORTS["reidentify"]),
        token_factory=token_factory(layout),
        seed=args.seed, households=args.households, as_of=args.as_of,
    )) or 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tessera", description=__doc__)
    parser.add_argument("--var", default="var", help="state directory (default: var)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="start NATS and every service; Ctrl-C stops")
    p.add_argument("--tls", action="store_true",
                   help="TLS on NATS and HTTPS on every service (development CA in var/tls)")
    p.add_argument("--nats-monitoring", action="store_true",
                   help=f"serve NATS monitoring on 127.0.0.1:{NATS_MONITOR_PORT} (off by "
                        "default: it has no authentication and lists every connection's "
                        "user and subscriptions)")
    p.add_argument("--replicas", type=int, default=1, metavar="N",
                   help="N processes of every slice, behind HAProxy on each one's "
                        "usual port, which sends the pseudonymiser's writer routes to "
                        "its linkage writer (default 1: no balancer)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("token", help="mint a development token")
    p.add_argument("service", choices=sorted(PORTS), help="the service (audience)")
    p.add_argument("--subject", default="dev-user")
    p.add_argument("--partner")
    p.add_argument("--scope", action="append")
    p.add_argument("--role", action="append")
    p.add_argument("--district", action="append")
    p.add_argument("--purpose", action="append")
    p.add_argument("--org", default="dev-council")
    p.add_argument("--lifetime", type=int, default=600, help="seconds (default 600)")
    p.add_argument("--issuer", default=ISSUER,
                   help=f"the iss claim (default {ISSUER}; a compose deployment's "
                        "stand-in issuer with --var var/compose: docs/operations.md)")
    p.set_defaults(func=cmd_token)

    p = sub.add_parser("keys", help="create development keys under var/keys")
    p.set_defaults(func=cmd_keys)

    p = sub.add_parser("encrypt-key", help="encrypt a PEM private key in place with the "
                       "passphrase in a file (for private_key_passphrase_file)")
    p.add_argument("key", help="the PEM private key file")
    p.add_argument("--passphrase-file", required=True, help="the passphrase, in a file")
    p.set_defaults(func=cmd_encrypt_key)

    p = sub.add_parser("demo", help="push a synthetic borough through the gateway")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--households", type=int, default=1500)
    p.add_argument("--as-of", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                   help="generate the borough as of this date (default today); the scorer "
                        "counts to its own date, so run it with TESSERA_SCORER_TODAY set to "
                        "the same date to reproduce a published table")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("nats-config", help="write a NATS cluster's configuration: one file "
                       "per node, services known by NKey, routes between the nodes")
    p.add_argument("--nodes", default="nats-1,nats-2,nats-3",
                   help="the nodes' names, comma-separated, as they resolve to one another "
                        "(default nats-1,nats-2,nats-3)")
    p.add_argument("--out", required=True, help="directory for <node>.conf")
    p.add_argument("--secrets", required=True,
                   help="directory for each service's NKey seed (<service>.nk) and the "
                        "route password; existing ones are kept")
    p.add_argument("--store-dir", default="/data/jetstream",
                   help="JetStream's directory on each node (default /data/jetstream)")
    p.add_argument("--kubernetes", action="store_true",
                   help="one nats.conf for a StatefulSet named nats behind a headless "
                        "Service nats (pods nats-0, nats-1, ...; server name from $POD_NAME)")
    p.add_argument("--replicas", type=int, default=3, choices=[3, 5],
                   help="the StatefulSet's replicas, with --kubernetes (default 3)")
    p.add_argument("--tls", metavar="DIR",
                   help="TLS for clients and routes with ca.pem, server.pem and server.key "
                        "in DIR (a development CA and certificate are made there if absent)")
    p.add_argument("--tls-mount", default="/etc/nats/tls",
                   help="where each node finds those files (default /etc/nats/tls)")
    p.set_defaults(func=cmd_nats_config)

    p = sub.add_parser("provision", help="create or update the streams and consumers")
    p.add_argument("--url", required=True,
                   help="the NATS servers, comma-separated (nats://nats-1:4222,...)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--nkey-file", help="the provisioner's NKey seed (a cluster)")
    who.add_argument("--password-file", help="the provisioner's password (one server)")
    p.add_argument("--replicas", type=int, default=1, choices=[1, 3, 5],
                   help="copies of every stream across the cluster's nodes (default 1)")
    p.add_argument("--tls-ca", help="CA bundle when NATS requires TLS")
    p.set_defaults(func=cmd_provision)

    p = sub.add_parser("jetstream-rekey", help="encrypt the JetStream store under a new "
                       "key: local (a stopped `tessera run` store), or a cluster in one "
                       "window: backup, node (each stopped node), restore (the nodes "
                       "started again), finish; abort before finish (docs/keys.md)")
    p.add_argument("action", choices=["local", "backup", "node", "restore", "finish",
                                      "abort"])
    p.add_argument("--secrets", help="the cluster's secrets directory (`tessera nats-config "
                   "--secrets`): backup makes the new key there, jetstream.key.next; "
                   "finish puts it in jetstream.key's place")
    p.add_argument("--backup", help="the directory backup makes (0700; every stream sealed "
                   "under the new key) and restore reads, then removes (abort too)")
    p.add_argument("--config", action="append", help="a stopped node's configuration: node "
                   "gives it the new key, abort the old (repeat with abort, each with its "
                   "--store-dir in the same order)")
    p.add_argument("--store-dir", action="append", help="a node's JetStream store_dir as "
                   "this machine sees it: node moves it aside, abort puts it back, finish "
                   "removes what was moved aside (repeat for each node)")
    p.add_argument("--url", help="the cluster's servers, comma-separated (backup, restore)")
    p.add_argument("--nkey-file", help="the provisioner's NKey seed")
    p.add_argument("--password-file", help="the provisioner's password")
    p.add_argument("--tls-ca", help="CA bundle when NATS requires TLS")
    p.add_argument("--timeout", type=float, default=300.0,
                   help="seconds backup and restore wait for the cluster to form (restore: "
                   "and every copy to be current; default 300)")
    p.set_defaults(func=cmd_jetstream_rekey, needs={
        "backup": ("url", "secrets", "backup"), "restore": ("url", "secrets", "backup"),
        "node": ("config", "store_dir", "secrets"), "finish": ("secrets", "store_dir"),
        "abort": ("config", "store_dir", "secrets")})

    admin.add_commands(sub, token_factory)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if lacking := admin.missing(args):
        parser.error(f"{args.command} {args.action} needs {', '.join(lacking)}")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
