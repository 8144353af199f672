"""`tessera run`, and the local development keys and tokens it works with: `keys`,
`token`, `encrypt-key`."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Annotated, Literal

import typer

from deploy.cli.context import ISSUER, Exit, Fail, options, token_factory
from deploy.layout import NATS_MONITOR_PORT, PORTS, WEB_PORTS, Layout
from services.common.subjects import SERVICES

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


def federation_for(var: Path, *, tls: bool = False, nats_monitoring: bool = False,
                   replicas: int = 1, environ: dict[str, str] | None = None):
    """The Federation `tessera run` starts: NATS monitoring only with --nats-monitoring,
    and the operator's own service settings from the environment."""
    from deploy.federation import Federation

    monitor = NATS_MONITOR_PORT if nats_monitoring else None
    if replicas < 1:
        raise Fail("--replicas must be at least 1", Exit.USAGE)
    return Federation(Layout(var), tls=tls, nats_monitor_port=monitor,
                      extra_env=operator_settings(os.environ if environ is None else environ),
                      web_ports=dict(WEB_PORTS), replicas=replicas)


def ports_of(fed) -> dict[str, int]:
    """Every port `tessera run` listens on."""
    ports = {**fed.ports, **fed.web_ports, "nats": fed.nats_port}
    if fed.nats_monitor_port is not None:
        ports["nats-monitoring"] = fed.nats_monitor_port
    return ports


def nats_lines(fed) -> list[str]:
    """What `tessera run` prints about NATS (and, with monitoring, a warning)."""
    if fed.nats_monitor_port is None:
        return [f"  {'nats':<14} {fed.nats_url}   (monitoring off; "
                "tessera run --nats-monitoring turns it on)"]
    url = f"http://127.0.0.1:{fed.nats_monitor_port}"
    return [f"  {'nats':<14} {fed.nats_url}   (monitoring {url})",
            f"  WARNING: NATS monitoring at {url} has no authentication: anyone who can "
            "reach it on this machine sees every connection's user and subscriptions."]


def banner(fed, tls: bool) -> list[str]:
    """What `tessera run` prints once every service is ready."""
    lines = ["", "Tessera is running:"]
    lines += [f"  {service:<14} {fed.url(service)}   (OpenAPI: /docs, /openapi.json)"
              for service in PORTS]
    lines.append(f"  {'console':<14} {fed.url('console')}   (sign in with the development "
                 f"sign-in at {fed.url('signin')}: pick a role, no password)")
    if tls:
        lines.append(f"  TLS on NATS and HTTP; trust the development CA {fed.tls_bundle.ca}")
    lines += nats_lines(fed)
    lines += ["", "In another terminal (the `tessera` command is .venv/bin/tessera; "
              "`source .venv/bin/activate` puts it on your PATH):",
              "  make demo                                   push a synthetic borough "
              "through the gateway",
              "  .venv/bin/tessera --help                    every command",
              "  .venv/bin/tessera token gateway --partner gp-p81001 --scope ingest",
              "  .venv/bin/tessera token reidentify --role caseworker --district OL1 "
              "--purpose early-help-triage",
              f"Ctrl-C stops everything; data stays under {fed.layout.root} "
              "(`make clean-var`, stopped, removes it)"]
    return lines


def run(
    tls: Annotated[bool, typer.Option(
        "--tls", help="TLS on NATS and HTTPS on every service (development CA in var/tls)")]
    = False,
    nats_monitoring: Annotated[bool, typer.Option(
        "--nats-monitoring", help=f"serve NATS monitoring on 127.0.0.1:{NATS_MONITOR_PORT} "
        "(off by default: it has no authentication and lists every connection's user and "
        "subscriptions)")] = False,
    replicas: Annotated[int, typer.Option(
        metavar="N", help="N processes of every slice, behind HAProxy on each one's usual "
        "port, which sends the pseudonymiser's writer routes to its linkage writer "
        "(default 1: no balancer)")]
    = 1,
) -> None:
    """Start NATS, every service and the console; Ctrl-C stops them.

    Refuses at once (exit 4) while another `tessera run` holds the state directory or the
    ports, naming it."""
    from deploy.running import AlreadyRunning, RunLock

    fed = federation_for(options().var, tls=tls, nats_monitoring=nats_monitoring,
                         replicas=replicas)
    lock = RunLock(fed.layout.root, ports_of(fed))
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        raise Fail(f"{exc}. Use that one (its URLs are in its terminal), or stop it with "
                   "Ctrl-C there first.", Exit.STATE) from None
    try:
        serve(fed, tls)
    finally:
        lock.release()


def serve(fed, tls: bool) -> None:
    layout = fed.layout
    scaled = "" if fed.replicas == 1 else (
        f" ({fed.replicas} processes of each, behind HAProxy; one pseudonymiser is "
        "the linkage writer)")
    print(f"Starting NATS (JetStream), six services{scaled} and the console; logs in",
          layout.logs, flush=True)
    stop = {"now": False}

    def _stop(signum, frame):
        stop["now"] = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    fed.start()
    print("\n".join(banner(fed, tls)), flush=True)
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


# the services a token can be for, as typer offers choices (the ports' keys)
Service = Literal["consent", "gateway", "linker", "pseudonymiser", "reidentify", "scorer"]
assert set(Service.__args__) == set(PORTS)


def token(
    service: Annotated[Service, typer.Argument(help="the service (audience)")],
    subject: Annotated[str, typer.Option()] = "dev-user",
    partner: Annotated[str | None, typer.Option()] = None,
    scope: Annotated[list[str] | None, typer.Option(help="repeatable")] = None,
    role: Annotated[list[str] | None, typer.Option(help="repeatable")] = None,
    district: Annotated[list[str] | None, typer.Option(help="repeatable")] = None,
    purpose: Annotated[list[str] | None, typer.Option(help="repeatable")] = None,
    org: Annotated[str, typer.Option()] = "dev-council",
    lifetime: Annotated[int, typer.Option(help="seconds")] = 600,
    issuer: Annotated[str, typer.Option(
        help="the iss claim (a compose deployment's stand-in issuer with --var "
             "var/compose: docs/operations.md)")] = ISSUER,
) -> None:
    """Mint a development token with the local issuer key (var/keys/issuer)."""
    claims: dict = {}
    for name, value in (("partner", partner), ("scope", scope), ("roles", role),
                        ("districts", district), ("purposes", purpose), ("org", org)):
        if value:
            claims[name] = value
    print(token_factory(options().layout, issuer)(service, subject=subject,
                                                  lifetime_s=lifetime, **claims))


def keys() -> None:
    """Create the development keys under var/keys (`tessera run` does it too)."""
    from deploy import keys as development

    layout = options().layout
    development.ensure_keys(layout)
    print(json.dumps({"keys": str(layout.keys), "jwks": str(layout.jwks)}))


def encrypt_key(
    key: Annotated[Path, typer.Argument(help="the PEM private key file")],
    passphrase_file: Annotated[Path, typer.Option(help="the passphrase, in a file")],
) -> None:
    """Encrypt a PEM private key in place with the passphrase in a file (a service then
    reads it with private_key_passphrase_file naming the same file)."""
    from services.common.signing import (
        SigningKeyError,
        is_encrypted_pem,
        load_private_key,
        private_pem,
        read_passphrase,
        write_private,
    )

    try:
        if is_encrypted_pem(key.read_bytes()):
            raise Fail(f"{key} is already encrypted")
        pem = private_pem(load_private_key(key), read_passphrase(passphrase_file))
    except (OSError, SigningKeyError) as exc:
        raise Fail(f"encrypt-key: {exc}") from None
    partial = key.with_name(key.name + ".encrypting")
    partial.unlink(missing_ok=True)
    write_private(partial, pem)
    os.replace(partial, key)
    print(json.dumps({"encrypted": str(key)}))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Run")(run)
    app.command(rich_help_panel="Run")(token)
    app.command(rich_help_panel="Run")(keys)
    app.command("encrypt-key", rich_help_panel="Keys and NATS")(encrypt_key)

