"""The access log's signed heads, as reidentify signs them and every keeper checks them.

A head is ``{seq, hash, at}`` of the chain's newest entry; its signature (Ed25519, by the
log key, named by ``kid``) covers the canonical JSON of those three. Reidentify signs;
its local export, the gateway's copy and any write-once store keep the lines; verify-log
and the gateway check them against trusted public keys configured apart from the
signing key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.common import signing
from services.common.signing import Signer


def _message(seq: int, hash_: str, at: str) -> bytes:
    return json.dumps({"at": at, "hash": hash_, "seq": seq}, sort_keys=True,
                      separators=(",", ":")).encode()


def sign_head(signer: Signer, seq: int, hash_: str, at: str) -> dict:
    sig = signer.sign(_message(seq, hash_, at))
    return {"seq": seq, "hash": hash_, "at": at, "kid": signer.kid, "sig": signing.b64(sig)}


def trusted_keys(paths: list[Path], signer: Signer | None = None
                 ) -> dict[str, Ed25519PublicKey]:
    """kid -> public key of every key a head may be signed with (the signer's own when no
    path is given: development and tests)."""
    keys = [signing.load_public_key(p) for p in paths]
    if not keys and signer is not None:
        keys = [signer.public_key()]
    return {signing.fingerprint(k): k for k in keys}


@dataclass
class SignedHead:
    """A head as a verifier sees it: where it came from, and whether it holds."""

    line: int
    seq: int | None
    hash: str | None
    signature_ok: bool
    key_trusted: bool = True
    at: datetime | None = None  # when its entry was written


def check_head(data: dict, line: int, trusted: dict[str, Ed25519PublicKey]) -> SignedHead:
    """A head judged against the trusted keys (by its kid; any of them when it names
    none): a malformed line or bad signature is not ok; a key not trusted is flagged."""
    try:
        seq, hash_, at = int(data["seq"]), str(data["hash"]), str(data["at"])
        sig = signing.unb64(str(data["sig"]))
    except (ValueError, KeyError, TypeError):
        return SignedHead(line, None, None, False)
    kid = data.get("kid")
    if kid is not None and not isinstance(kid, str):
        return SignedHead(line, None, None, False)
    keys = [trusted[kid]] if kid in trusted else ([] if kid else list(trusted.values()))
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        return SignedHead(line, None, None, False)
    if not keys:
        return SignedHead(line, seq, hash_, False, key_trusted=False, at=when)
    ok = any(signing.verify(k, sig, _message(seq, hash_, at)) for k in keys)
    return SignedHead(line, seq, hash_, ok, at=when)
