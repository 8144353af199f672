"""Which `tessera run` holds this machine's ports and a state directory, so that a second
one refuses at once instead of starting processes that die on taken ports and write into
the first one's logs.

The holder keeps an exclusive lock (flock) on ``<var>/run.lock`` for as long as it runs,
and says there who it is (pid, ports, state directory); the kernel drops the lock when
the process ends, however it ends, so a stale file never blocks a new run. A pointer in
the temporary directory names the last holder's state directory, for a second run from
another directory, which finds the ports taken.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

LOCK_NAME = "run.lock"


@dataclass(frozen=True)
class Holder:
    """The `tessera run` that holds a state directory."""

    pid: int
    var: str
    ports: dict[str, int]

    def describe(self) -> str:
        ports = ", ".join(f"{name} {port}" for name, port in self.ports.items())
        return f"pid {self.pid}, state directory {self.var}, ports {ports}"


class AlreadyRunning(Exception):
    """Another `tessera run` holds the state directory or the ports."""


def pointer() -> Path:
    """Where the last holder on this machine is named (one per user)."""
    return Path(tempfile.gettempdir()) / f"tessera-run-{os.getuid()}.json"


def taken(ports: dict[str, int], host: str = "127.0.0.1") -> dict[str, int]:
    """The ports something already listens on."""
    out = {}
    for name, port in ports.items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            # the services bind with SO_REUSEADDR too: a port in TIME_WAIT is free to them
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError:
                out[name] = port
    return out


def _read(path: Path) -> Holder | None:
    try:
        return Holder(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder(var: Path) -> Holder | None:
    """The `tessera run` holding this state directory now, or None."""
    path = var.resolve() / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _read(path) or Holder(0, str(var.resolve()), {})
    finally:
        os.close(fd)
    return None


class RunLock:
    """Held while a `tessera run` runs: ``acquire`` refuses with AlreadyRunning, naming
    the holder, before anything is started."""

    def __init__(self, var: Path, ports: dict[str, int]):
        self.var = var.resolve()
        self.ports = ports
        self.path = self.var / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        self.var.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = _read(self.path)
            who = holder.describe() if holder else f"its lock is {self.path}"
            raise AlreadyRunning(f"Tessera is already running on this state directory "
                                 f"({who})") from None
        busy = taken(self.ports)
        if busy:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            raise AlreadyRunning(self._ports_message(busy))
        me = Holder(pid=os.getpid(), var=str(self.var), ports=dict(self.ports))
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(asdict(me)).encode())
        self._fd = fd
        with contextlib.suppress(OSError):
            pointer().write_text(json.dumps(asdict(me)))

    def _ports_message(self, busy: dict[str, int]) -> str:
        ports = ", ".join(f"{port} ({name})" for name, port in busy.items())
        other = _read(pointer())
        if other and other.var != str(self.var) and _alive(other.pid):
            return (f"the ports are taken ({ports}): Tessera is already running from "
                    f"another state directory ({other.describe()})")
        return f"the ports are taken ({ports}) by another program"

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            if (_read(pointer()) or Holder(0, "", {})).pid == os.getpid():
                pointer().unlink()
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def main(argv: list[str] | None = None) -> int:
    """`python -m deploy.running VAR`: exit 4, naming the holder, while a `tessera run`
    holds VAR (`make clean-var` asks before it removes var/)."""
    import sys

    var = Path((argv if argv is not None else sys.argv[1:] or ["var"])[0])
    if (running := holder(var)) is None:
        return 0
    print(f"Tessera is running on {var} ({running.describe()}): stop it (Ctrl-C in its "
          "terminal) first", file=sys.stderr)
    return 4


if __name__ == "__main__":
    raise SystemExit(main())
