"""The local load balancer in front of a service's replicas (`tessera run --replicas N`).

HAProxy, from the distribution's packages (Debian: ``apt-get install haproxy``; ``make
install`` installs it when missing): a maintained balancer with active health checks,
passive ones (a refused connection takes a replica out at once) and retries of a
connection that failed on another replica, none of which a hand-written proxy would get
right under a kill -9. It listens on each scaled service's usual port and sends each
request (each connection, with TLS: it is passed through, not terminated) to the next
replica that answers ``GET /readyz``.

A pool may name routes only one of its replicas serves (the pseudonymiser's linkage
writer's, services/pseudonymiser/roles.py): those go to a second backend of the same
replicas whose check also wants the writer's mark in the ``/readyz`` body, so they reach
whichever replica is the writer now; while none is, they go round the others, which
answer them with a 503 and a Retry-After. With TLS such a pool's connections are
terminated here (routes cannot be read in a passed-through connection) and made again
to the replicas over TLS, verified against the federation's CA.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from deploy.natsserver import wait_for_port

# how often each replica's /readyz is asked, and after how many failures in a row (or
# one refused connection) it is out of rotation; back in after two successes
CHECK_INTERVAL_MS = 500
FALL, RISE = 2, 2
READYZ = "/readyz"


@dataclass(frozen=True)
class Pool:
    """One service behind the balancer: the port it is known by and its replicas' ports;
    the routes (method, path template) only its writer serves, and what the writer's
    ``/readyz`` body holds that the others' do not."""

    service: str
    port: int
    replicas: tuple[int, ...]
    writer_routes: tuple[tuple[str, str], ...] = ()
    writer_mark: str = ""

    @property
    def routed(self) -> bool:
        return bool(self.writer_routes)


@dataclass(frozen=True)
class Terminated:
    """TLS ended at the balancer, for the pools whose routes it reads: its certificate
    and key in one file (HAProxy's form) and the CA the replicas' certificates are
    checked against."""

    certificate: Path
    ca: Path


def path_regex(template: str) -> str:
    """An HAProxy ``path_reg`` for an API path template ("/v1/review/{pair_id}")."""
    return "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"


def binary() -> str:
    found = shutil.which("haproxy") or next(
        (str(p) for p in (Path("/usr/sbin/haproxy"), Path("/usr/local/sbin/haproxy"))
         if p.exists()), None)
    if not found:
        raise RuntimeError("haproxy not found: install it (Debian: apt-get install haproxy; "
                           "make install does so when it can)")
    return found


def render(pools: list[Pool], tls: bool = False, host: str = "127.0.0.1",
           terminated: Terminated | None = None) -> str:
    """haproxy.cfg for these pools. Plain HTTP is balanced by request; with TLS each
    connection goes whole to one replica, which terminates it (its health is still
    checked over HTTPS), except in a pool with writer's routes, terminated here."""
    if tls and any(p.routed for p in pools) and terminated is None:
        raise ValueError("a pool with writer's routes under TLS needs `terminated`")
    check = "check check-ssl verify none" if tls else "check"
    lines = [
        "global",
        "    maxconn 4096",
        "defaults",
        f"    mode {'tcp' if tls else 'http'}",
        "    timeout connect 2s",
        # an upload is validated whole before the gateway answers
        "    timeout client 300s",
        "    timeout server 300s",
        "    timeout check 2s",
        # a connection refused by a replica just killed is tried on another one; a
        # request already sent is never replayed (an unlock is logged as it is made)
        "    retries 2",
        "    option redispatch 1",
        *([] if tls else ["    retry-on conn-failure"]),
        f"    option httpchk GET {READYZ}",
        "    http-check expect status 200",
        f"    default-server inter {CHECK_INTERVAL_MS}ms fall {FALL} rise {RISE} "
        "observe layer4 error-limit 1 on-error mark-down",
    ]
    for pool in pools:
        lines += _pool(pool, host, check, tls, terminated)
    return "\n".join(lines) + "\n"


def _pool(pool: Pool, host: str, check: str, tls: bool,
          terminated: Terminated | None) -> list[str]:
    name = pool.service
    bind = f"    bind {host}:{pool.port}"
    frontend_mode: list[str] = []
    http: list[str] = []  # a backend's lines when it is HTTP where the defaults are TCP
    if tls and pool.routed and terminated is not None:
        # its routes are read, so TLS ends here and each replica is connected to again
        bind += f" ssl crt {terminated.certificate}"
        check = f"check ssl verify required ca-file {terminated.ca}"
        frontend_mode = ["    mode http"]
        http = [*frontend_mode, "    retry-on conn-failure"]

    def servers() -> list[str]:
        return [f"    server {name}-{i} {host}:{port} {check}"
                for i, port in enumerate(pool.replicas, start=1)]

    lines = [f"frontend {name}", bind, *frontend_mode]
    writer = f"{name}-writer"
    for method, path in pool.writer_routes:
        lines.append(f"    use_backend {writer} if {{ nbsrv({writer}) gt 0 }} "
                     f"{{ method {method} }} {{ path_reg {path_regex(path)} }}")
    lines += [f"    default_backend {name}",
              f"backend {name}", *http, "    balance roundrobin", *servers()]
    if pool.routed:
        # the writer's own /readyz: 200 and its mark (a standby's is 200 too); a
        # backend with its own check rules also needs its own request, or none is sent
        lines += [f"backend {writer}", *http, f"    option httpchk GET {READYZ}",
                  "    http-check expect status 200",
                  f"    http-check expect string '{pool.writer_mark}'", *servers()]
    return lines


def terminate(directory: Path, bundle) -> Terminated:
    """The balancer's certificate file from a ``deploy.tls.Bundle``: the server's
    certificate and key in one file, as HAProxy loads them (readable by the owner only)."""
    directory.mkdir(parents=True, exist_ok=True)
    certificate = directory / "certificate.pem"
    certificate.touch(mode=0o600)
    certificate.chmod(0o600)
    certificate.write_bytes(bundle.cert.read_bytes() + bundle.key.read_bytes())
    return Terminated(certificate.resolve(), bundle.ca.resolve())


def start(conf: Path, pools: list[Pool], tls: bool = False,
          log_file: Path | None = None, terminated: Terminated | None = None
          ) -> subprocess.Popen:
    """Write the configuration, check it, and run HAProxy in the foreground (its own
    process group) until stopped."""
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(render(pools, tls, terminated=terminated))
    haproxy = binary()
    subprocess.run([haproxy, "-c", "-q", "-f", str(conf)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen([haproxy, "-db", "-f", str(conf)], stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for pool in pools:
            wait_for_port("127.0.0.1", pool.port)
    except TimeoutError:
        proc.kill()
        raise
    return proc
