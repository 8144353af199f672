"""Development keys under var/keys: symmetric keys, the local token issuer, NATS passwords,
the keys the JetStream store and each slice's SQLite database are encrypted with."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from deploy.layout import Layout
from services.common.crypto import write_key
from services.common.signing import read_passphrase, write_key_pair, write_private
from services.common.subjects import PROVISIONER, SERVICES
from services.common.tokens import generate_issuer_key
from services.common.trust import load_bus_key, write_bus_key, write_trust

SYMMETRIC_KEYS = (
    "gateway-hmac",          # record and event tokens
    "pseudonym-person",      # person-domain pseudonyms
    "pseudonym-household",   # household-domain pseudonyms
)



def ensure_keys(layout: Layout) -> None:
    """Create whatever is missing; never replace an existing key (data would be orphaned)."""
    for name in SYMMETRIC_KEYS:
        write_key(layout.key(name))
    write_key(layout.jetstream_key)
    for service in SERVICES:  # 64 hex digits: SQLCipher's raw key, no key derivation
        write_key(layout.database_key(service))
        ensure_passphrase(layout.passphrase(service))
    if not layout.jwks.exists():
        generate_issuer_key(layout.issuer)
    ensure_nats_passwords(layout)
    ensure_bus_keys(layout)
    if not layout.log_key.exists():  # reidentify's access-log key; the gateway trusts its half
        write_key_pair(layout.log_key, read_passphrase(layout.passphrase("reidentify")))
    for service in SERVICES:  # each service's security-log key, under its passphrase
        if not layout.events_key(service).exists():
            write_key_pair(layout.events_key(service),
                           read_passphrase(layout.passphrase(service)))


def ensure_passphrase(path: Path) -> None:
    """A service's private key passphrase (0600), made where missing, never replaced."""
    if not path.exists():
        write_private(path, secrets.token_urlsafe(32).encode() + b"\n")


def ensure_bus_keys(layout: Layout) -> None:
    """Each service's bus key (encrypted with its passphrase), and the trust file listing
    every public half."""
    keys = {}
    for service in SERVICES:
        path, passphrase = layout.bus_key(service), layout.passphrase(service)
        keys[service] = [load_bus_key(path, passphrase).public_key() if path.exists()
                         else write_bus_key(path, read_passphrase(passphrase))]
    write_trust(layout.bus_trust, keys)


def ensure_nats_passwords(layout: Layout) -> dict[str, str]:
    path = layout.nats_passwords
    existing = json.loads(path.read_text()) if path.exists() else {}
    changed = False
    for user in (*SERVICES, PROVISIONER):
        if user not in existing:
            existing[user] = secrets.token_urlsafe(24)
            changed = True
    if changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(existing, indent=2))
        path.chmod(0o600)
    return existing
