"""A slice's `health` command, the image's HEALTHCHECK: against a real slice (consent,
with its NATS and database) serving HTTPS with production settings, or plain HTTP."""

from __future__ import annotations

import os
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
    assert down.returncode == 1 and "503 failing: nats" in down.stderr

    running.stop_service(SLICE)
    gone = health(env, tmp_path)
    assert gone.returncode == 1 and "Traceback" not in gone.stderr


def test_rekey_moves_a_database_to_a_new_key(tmp_path):
    """`rekey` re-encrypts a stopped slice's database: the new key opens it, the old one no
    longer does, and without a key there is nothing to change."""
    from services.common.db import DatabaseKeyError, sqlcipher_key, sqlite_connect

    db, old, new = tmp_path / "consent.db", tmp_path / "old.key", tmp_path / "new.key"
    old.write_text("ab" * 32)
    new.write_text("a passphrase for the new key")
    con = sqlite_connect(db, sqlcipher_key(old.read_text()))
    con.execute("CREATE TABLE t (v)")
    con.execute("INSERT INTO t VALUES ('kept')")
    con.commit()
    con.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESSERA_")}
    env.update(TESSERA_CONSENT_DATABASE_URL=f"sqlite+aiosqlite:///{db}",
               TESSERA_CONSENT_DATABASE_KEY_FILE=str(old))

    def rekey(environment: dict[str, str]) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "services.consent", "rekey",
                               "--new-key-file", str(new)], env=environment,
                              cwd=tmp_path, capture_output=True, text=True, timeout=60)

    done = rekey(env)
    assert done.returncode == 0, done.stderr
    reopened = sqlite_connect(db, sqlcipher_key(new.read_text()))
    assert reopened.execute("SELECT v FROM t").fetchall() == [("kept",)]
    reopened.close()
    with pytest.raises(DatabaseKeyError):
        sqlite_connect(db, sqlcipher_key(old.read_text()))
    keyless = {k: v for k, v in env.items() if k != "TESSERA_CONSENT_DATABASE_KEY_FILE"}
    assert "only an encrypted SQLite database" in rekey(keyless).stderr
