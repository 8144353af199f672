"""The access-log head signing key and the signed-heads export (outside the database).

Every so often the service signs ``{seq, hash, at}`` of the chain's head with its
Ed25519 key and appends the result as one JSON line to an export file. An
auditor holding the public key can then check that the database still contains,
at each signed seq, exactly the entry that was signed: an edit, a deletion or a
truncation after a signed head no longer matches.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

CREATE_IN = ("development", "test")


class SigningKeyMissing(RuntimeError):
    """The log-signing key is absent outside development (refuse to start)."""


def public_key_path(private_path: Path) -> Path:
    """The public half lives alongside: ``name.pem`` -> ``name.pub.pem``."""
    private_path = Path(private_path)
    return private_path.with_name(private_path.stem + ".pub.pem")


def ensure_signing_key(path: Path, environment: str) -> Ed25519PrivateKey:
    """Load the key; in development (and tests) create it and its public half if missing."""
    path = Path(path)
    if not path.exists():
        if environment not in CREATE_IN:
            raise SigningKeyMissing(
                "the access-log signing key is missing; set log_signing_key_path")
        write_signing_key(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing("the access-log signing key is not an Ed25519 key")
    pub = public_key_path(path)
    if not pub.exists():
        pub.write_bytes(public_pem(key.public_key()))
    return key


def write_signing_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    public_key_path(path).write_bytes(public_pem(key.public_key()))


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public_key(path: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(Path(path).read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def _message(seq: int, hash_: str, at: str) -> bytes:
    return json.dumps({"at": at, "hash": hash_, "seq": seq}, sort_keys=True,
                      separators=(",", ":")).encode()


def sign_head(key: Ed25519PrivateKey, seq: int, hash_: str, at: str) -> dict:
    sig = key.sign(_message(seq, hash_, at))
    return {"seq": seq, "hash": hash_, "at": at,
            "sig": base64.urlsafe_b64encode(sig).decode().rstrip("=")}


def append_head(path: Path, head: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(head, sort_keys=True, separators=(",", ":")) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    with os.fdopen(fd, "a") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


@dataclass
class SignedHead:
    line: int
    seq: int | None
    hash: str | None
    signature_ok: bool


def read_heads(path: Path, public_key: Ed25519PublicKey) -> list[SignedHead]:
    """Every line of the export, with whether its signature holds (a bad line is not ok)."""
    path = Path(path)
    if not path.exists():
        return []
    heads = []
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            seq, hash_, at = int(data["seq"]), str(data["hash"]), str(data["at"])
            sig = base64.urlsafe_b64decode(data["sig"] + "=" * (-len(data["sig"]) % 4))
            public_key.verify(sig, _message(seq, hash_, at))
            heads.append(SignedHead(number, seq, hash_, True))
        except (ValueError, KeyError, TypeError, InvalidSignature):
            heads.append(SignedHead(number, None, None, False))
    return heads
