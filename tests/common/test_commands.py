"""A slice's `health` command, the image's HEALTHCHECK: against a real slice (consent,
with its NATS and database) serving HTTPS with production settings, or plain HTTP."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from deploy.federation import Federation
from deploy.layout import Layout
from deploy.natsserver import free_port
from services.common.subjects import SERVICES

SLICE = "consent"
P = f"TESSERA_{SLICE.upper()}_"


def health(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", f"services.{SLICE}", "health"], env=env,
                          cwd=cwd, capture_output=True, text=True, timeout=60)


def eventually_unhealthy(env: dict[str, str], cwd: Path, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while (done := health(env, cwd)).returncode == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    return done


@pytest.fixture(params=[True, False], ids=["https", "http"])
def running(request, tmp_path):
    tls = request.param
    fed = Federation(Layout(tmp_path / "var"), ports={s: free_port() for s in SERVICES},
                     nats_port=free_port(), tls=tls,
                     environment="production" if tls else "test",
                     extra_env={SLICE: {P + "TOKEN_ISSUER": "https://login.council.test"}})
    try:
        fed.prepare()
        fed.start_nats()
        fed.migrate(SLICE)
        fed.start_service(SLICE)
        fed.wait_ready()
        yield fed
    finally:
        fed.stop()


def test_health_is_silent_when_ready_and_fails_when_not(running, tmp_path):
    env = running._env(SLICE)
    done = health(env, tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")

    if running.tls:  # a probe speaking plain HTTP to the HTTPS port gets no answer
        plain = {k: v for k, v in env.items() if "_TLS_" not in k}
        plain[P + "ENVIRONMENT"] = "test"
        wrong = health(plain, tmp_path)
        assert wrong.returncode == 1 and "http://127.0.0.1" in wrong.stderr
        assert "Traceback" not in wrong.stderr

    running.nats.terminate()  # /readyz answers 503 while NATS is away
    running.nats.wait(timeout=15)
    down = eventually_unhealthy(env, tmp_path)
    assert down.returncode == 1 and "503" in down.stderr

    running.stop_service(SLICE)
    gone = health(env, tmp_path)
    assert gone.returncode == 1 and "Traceback" not in gone.stderr
