"""The local load balancer in front of a service's replicas (`tessera run --replicas N`).

HAProxy, from the distribution's packages (Debian: ``apt-get install haproxy``; ``make
install`` installs it when missing): a maintained balancer with active health checks,
passive ones (a refused connection takes a replica out at once) and retries of a
connection that failed on another replica, none of which a hand-written proxy would get
right under a kill -9. It listens on each scaled service's usual port and sends each
request (each connection, with TLS: it is passed through, not terminated) to the next
replica that answers ``GET /readyz``.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from deploy.natsserver import wait_for_port

# how often each replica's /readyz is asked, and after how many failures in a row (or
# one refused connection) it is out of rotation; back in after two successes
CHECK_INTERVAL_MS = 500
FALL, RISE = 2, 2


@dataclass(frozen=True)
class Pool:
    """One service behind the balancer: the port it is known by and its replicas' ports."""

    service: str
    port: int
    replicas: tuple[int, ...]


def binary() -> str:
    found = shutil.which("haproxy") or next(
        (str(p) for p in (Path("/usr/sbin/haproxy"), Path("/usr/local/sbin/haproxy"))
         if p.exists()), None)
    if not found:
        raise RuntimeError("haproxy not found: install it (Debian: apt-get install haproxy; "
                           "make install does so when it can)")
    return found


def render(pools: list[Pool], tls: bool = False, host: str = "127.0.0.1") -> str:
    """haproxy.cfg for these pools. Plain HTTP is balanced by request; with TLS each
    connection goes whole to one replica, which terminates it (its health is still
    checked over HTTPS)."""
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
        "    option httpchk GET /readyz",
        "    http-check expect status 200",
        f"    default-server inter {CHECK_INTERVAL_MS}ms fall {FALL} rise {RISE} "
        "observe layer4 error-limit 1 on-error mark-down",
    ]
    for pool in pools:
        lines += [
            f"frontend {pool.service}",
            f"    bind {host}:{pool.port}",
            f"    default_backend {pool.service}",
            f"backend {pool.service}",
            "    balance roundrobin",
            *(f"    server {pool.service}-{i} {host}:{port} {check}"
              for i, port in enumerate(pool.replicas, start=1)),
        ]
    return "\n".join(lines) + "\n"


def start(conf: Path, pools: list[Pool], tls: bool = False,
          log_file: Path | None = None) -> subprocess.Popen:
    """Write the configuration, check it, and run HAProxy in the foreground (its own
    process group) until stopped."""
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(render(pools, tls))
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
