"""Secrets are never logged: after traffic that exercises every door (good, bad and forged
tokens included) with every service at DEBUG, no log line holds a key from var/keys, a
NATS password, the gateway's HMAC key or a bearer token it was sent."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import jwt

from services.common.subjects import SERVICES
from tests.security.conftest import EVERYTHING, PURPOSE, Fed

PUBLIC = {"jwks.json", "current"}


def key_secrets(keys_dir: Path) -> dict[str, str]:
    """Every secret under var/keys, as strings that would appear if it were logged:
    hex keys as written and as the bytes' repr; PEM keys by each line of their body."""
    found: dict[str, str] = {}
    for path in sorted(p for p in keys_dir.rglob("*") if p.is_file()):
        if path.name in PUBLIC or ".pub" in path.name or "public" in path.name:
            continue
        text = path.read_text().strip()
        label = str(path.relative_to(keys_dir))
        if "-----BEGIN" in text:
            body = [line for line in text.splitlines() if not line.startswith("-----")]
            found[f"{label}:body"] = "".join(body)
            for i, line in enumerate(body):
                if len(line) >= 16:
                    found[f"{label}:line{i}"] = line
        else:
            found[label] = text
            try:
                raw = bytes.fromhex(text)
            except ValueError:
                continue
            found[f"{label}:repr"] = repr(raw)[2:34]
            found[f"{label}:b64"] = base64.b64encode(raw).decode()[:24]
    return found


def token_secrets(tokens: list[str]) -> dict[str, str]:
    out = {}
    for i, token in enumerate(tokens):
        out[f"token{i}"] = token
        signature = token.rsplit(".", 1)[-1]
        if len(signature) >= 16:
            out[f"token{i}:signature"] = signature
    return out


def scan(paths: list[Path], secrets: dict[str, str]) -> dict[str, set[str]]:
    """(log file -> labels of the secrets found in it); never the values."""
    hits: dict[str, set[str]] = {}
    for path in paths:
        text = path.read_text(errors="replace")
        for label, secret in secrets.items():
            if secret and secret in text:
                hits.setdefault(path.name, set()).add(label)
    return hits


def forged(fed: Fed, service: str) -> list[str]:
    """Tokens that must be refused, each of which a careless error path might print."""
    good = fed.token(service, **EVERYTHING[service])
    header, payload, signature = good.split(".")
    expired = fed.token(service, lifetime_s=-120, **EVERYTHING[service])
    tampered = f"{header}.{payload}.{signature[::-1]}"
    unsigned = jwt.encode({"sub": "x", "aud": f"tessera-{service}", "exp": time.time() + 60},
                          key=None, algorithm="none")
    hs256 = jwt.encode({"sub": "x", "aud": f"tessera-{service}"},
                       key="a-shared-secret-that-is-long-enough-for-hs256", algorithm="HS256")
    other = fed.token(SERVICES[(SERVICES.index(service) + 1) % len(SERVICES)])
    garbage = "not-a-jwt-" + signature
    forgeries = [expired, tampered, unsigned, hs256, other, garbage]
    fed.minted.extend(forgeries)
    return forgeries


async def drive(fed: Fed) -> None:
    """Requests through every door: allowed, refused, malformed and forged."""
    gateway = fed.auth("gateway", **EVERYTHING["gateway"])
    await fed.client.post(fed.url("gateway", "/v1/datasets/gp-p81001/identities"),
                          headers=gateway, json={"records": [
                              {"local_id": "SEC-1", "given_name": "Ada",
                               "family_name": "King", "date_of_birth": "1980-01-01"}]})
    await fed.client.post(fed.url("gateway", "/v1/datasets/gp-p81001/events"),
                          headers={**gateway, "Content-Type": "text/csv"},
                          content=b"local_id,code,occurred_on\nSEC-1,GP1,2026-01-01\n")
    await fed.client.post(fed.url("reidentify", "/v1/unlock"),
                          headers=fed.auth("reidentify", **EVERYTHING["reidentify"]),
                          json={"pseudonym": "p_secrets", "purpose": PURPOSE,
                                "justification": "checking that secrets are not logged"})
    await fed.client.post(fed.url("consent", "/v1/decisions"),
                          headers=fed.auth("consent", **EVERYTHING["consent"]),
                          json={"pseudonym": "p_secrets", "status": "opt_out",
                                "decided_on": "2026-01-01"})
    for service in SERVICES:
        await fed.client.get(fed.url(service, "/v1/ops/dead-letters"),
                             headers=fed.auth(service, **EVERYTHING[service]))
        for token in forged(fed, service):
            r = await fed.client.get(fed.url(service, "/v1/ops/dead-letters"),
                                     headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 401
        await fed.client.get(fed.url(service, "/v1/ops/dead-letters"),
                             headers={"Authorization": "Basic " + base64.b64encode(
                                 b"admin:" + fed.passwords[service].encode()).decode()})


def test_the_scan_finds_a_secret_where_one_is_written(tmp_path):
    log = tmp_path / "x.log"
    log.write_text("INFO startup\nDEBUG connecting with s3cr3t-value-123456\n")
    assert scan([log], {"nats:x": "s3cr3t-value-123456"}) == {"x.log": {"nats:x"}}
    assert scan([log], {"nats:y": "other-secret-value"}) == {}


async def test_no_secret_in_any_log(fed):
    await drive(fed)
    keys = key_secrets(fed.fed.layout.keys)
    labels = " ".join(keys)
    assert "gateway-hmac.key" in labels and "issuer/" in labels
    assert "pseudonym-person.key" in labels and "reidentify-log-signing.pem" in labels
    passwords = {f"nats:{user}": pw for user, pw in fed.passwords.items()}
    assert set(passwords) >= {f"nats:{s}" for s in SERVICES}
    for path in fed.fed.layout.nats_dir.glob("*.password"):
        passwords[f"nats/{path.name}"] = path.read_text().strip()
    tokens = token_secrets(fed.minted)
    assert len(tokens) > 40
    logs = fed.logs
    assert {p.stem for p in logs} >= {*SERVICES, "nats"}
    # The scan sees real traffic: DEBUG lines and access lines from every service.
    text = {p.stem: p.read_text(errors="replace") for p in logs}
    for service in SERVICES:
        assert "/v1/ops/dead-letters" in text[service] and " 401" in text[service], service
    assert scan(logs, {**keys, **passwords, **tokens}) == {}
