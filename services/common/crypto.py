"""Keyed hashing: record tokens, event tokens and per-domain pseudonyms."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from pathlib import Path


def new_key() -> str:
    return secrets.token_hex(32)


def write_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(new_key())
        path.chmod(0o600)


def keyed_token(key: bytes, *parts: str, prefix: str = "", length: int = 26) -> str:
    """A keyed HMAC-SHA256 over unambiguously joined parts, as base32 text."""
    msg = b"\x1f".join(p.encode() for p in parts)
    digest = hmac.digest(key, msg, hashlib.sha256)  # one-shot: no HMAC object a token
    return prefix + base64.b32encode(digest).decode().rstrip("=").lower()[:length]
