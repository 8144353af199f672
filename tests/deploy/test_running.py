"""A second `tessera run` refuses at once, naming the running one, before it starts or
writes anything: real processes holding a state directory and ports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from deploy.cli.context import Exit
from deploy.federation import REPO
from deploy.natsserver import free_port
from deploy.running import AlreadyRunning, RunLock, holder

# a process that holds a state directory's lock and listens on its ports, as `tessera
# run` does, until its standard input closes
HOLDER = textwrap.dedent("""
    import json, socket, sys
    from pathlib import Path
    from deploy.running import RunLock
    ports = json.loads(sys.argv[2])
    lock = RunLock(Path(sys.argv[1]), ports)
    lock.acquire()
    listening = []
    for port in ports.values():
        s = socket.socket()
        s.bind(("127.0.0.1", port))
        s.listen()
        listening.append(s)
    print("held", flush=True)
    sys.stdin.read()
    lock.release()
""")


@pytest.fixture
def env(tmp_path):
    """The processes' environment, with a temporary directory of their own (where the
    last holder is named) so that no other run on this machine is seen."""
    own = tmp_path / "tmp"
    own.mkdir()
    return {**os.environ, "TMPDIR": str(own), "PYTHONPATH": str(REPO)}


@pytest.fixture
def first(tmp_path, env):
    """The running one: a state directory and two ports held by another process."""
    var, ports = tmp_path / "var-first", {"gateway": free_port(), "nats": free_port()}
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(var), json.dumps(ports)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=env, cwd=REPO)
    assert proc.stdout.readline().strip() == "held"
    yield proc, var, ports
    proc.stdin.close()
    proc.wait(timeout=30)


def test_a_second_run_on_the_same_state_directory_refuses_naming_the_first(first, env):
    proc, var, ports = first
    second = subprocess.run([sys.executable, "-m", "deploy", "--var", str(var), "run"],
                            capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert second.returncode == Exit.STATE, second.stderr
    assert f"pid {proc.pid}" in second.stderr and str(var.resolve()) in second.stderr
    assert f"gateway {ports['gateway']}" in second.stderr
    assert "Starting" not in second.stdout and "Traceback" not in second.stderr
    assert not (var / "logs").exists()  # nothing started, nothing written


def test_a_second_run_elsewhere_finds_the_ports_taken_and_names_the_first(first, env,
                                                                         tmp_path):
    proc, var, ports = first
    other = tmp_path / "var-second"
    script = ("import json, sys; from pathlib import Path; "
              "from deploy.running import RunLock, AlreadyRunning\n"
              "try:\n    RunLock(Path(sys.argv[1]), json.loads(sys.argv[2])).acquire()\n"
              "except AlreadyRunning as exc:\n    print(exc); sys.exit(4)\n")
    second = subprocess.run([sys.executable, "-c", script, str(other), json.dumps(ports)],
                            capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert second.returncode == 4, second.stderr
    assert "ports are taken" in second.stdout and f"{ports['nats']} (nats)" in second.stdout
    assert f"pid {proc.pid}" in second.stdout and str(var.resolve()) in second.stdout


def test_the_lock_goes_with_its_process(first, env, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(env["TMPDIR"]))
    proc, var, ports = first
    assert holder(var).pid == proc.pid
    held = subprocess.run([sys.executable, "-m", "deploy.running", str(var)],
                          capture_output=True, text=True, env=env, cwd=REPO)
    assert held.returncode == 4 and f"pid {proc.pid}" in held.stderr
    proc.kill()  # however it ends, the kernel drops the lock
    proc.wait(timeout=30)
    assert holder(var) is None
    with RunLock(var, {"gateway": free_port()}) as lock:
        assert holder(var).pid == os.getpid() and lock.path == var.resolve() / "run.lock"


def test_a_port_taken_by_another_program_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(AlreadyRunning, match=f"{port} \\(gateway\\)"):
            RunLock(tmp_path / "var", {"gateway": port}).acquire()
    assert holder(Path(tmp_path / "var")) is None  # a refusal holds nothing
