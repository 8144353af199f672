"""Every message on the bus is signed by the service that sends it, and checked by the
service that takes it.

A NATS password lets its holder publish on the subjects of that service's user. The
signature makes the password alone worth nothing: a flag, a consent decision, an
identity request or any other message is accepted only when it carries a signature
by the private key of a service the channel declares as a sender of it
(``services.common.subjects``: publishers for messages and requests, consumers for
replies). The signature covers the subject and the message id as well as the payload,
so a signed message cannot be replayed on another subject or under another id.

The header is ``Tessera-Sig: <service>.<kid>.<signature>`` (base64url). The trust file
lists each service's public keys by kid, so a new key can be trusted everywhere before
its service starts signing with it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.common.signing import (
    Signer,
    b64,
    fingerprint,
    public_from_raw,
    raw_public,
    unb64,
    verify,
)

HEADER = "Tessera-Sig"
_CONTEXT = b"tessera-bus/1\x00"


class Untrusted(Exception):  # noqa: N818 - a verdict, not an error in the code
    """Why a message was refused: unsigned, signed by a service that may not send it,
    by an unknown key, or a signature that does not hold (safe to log)."""


def signed_bytes(subject: str, msg_id: str | None, payload: bytes) -> bytes:
    return _CONTEXT + subject.encode() + b"\x00" + (msg_id or "").encode() + b"\x00" + payload


def sign(service: str, signer: Signer, subject: str, msg_id: str | None,
         payload: bytes) -> str:
    """The value of the signature header for this message."""
    return f"{service}.{signer.kid}.{b64(signer.sign(signed_bytes(subject, msg_id, payload)))}"


class Trust:
    """The services' public bus keys, from the trust file (re-read when it changes)."""

    RECHECK_S = 1.0

    def __init__(self, keys: dict[str, dict[str, Ed25519PublicKey]],
                 path: Path | None = None):
        self.keys = keys
        self.path = Path(path) if path else None
        self._mtime = self.path.stat().st_mtime if self.path else None
        self._checked = time.monotonic()

    @classmethod
    def load(cls, path: Path) -> Trust:
        return cls(_read(path), path)

    def _refresh(self) -> None:
        now = time.monotonic()
        if self.path is None or now - self._checked < self.RECHECK_S:
            return
        self._checked = now
        try:
            mtime = self.path.stat().st_mtime
            if mtime != self._mtime:
                self.keys, self._mtime = _read(self.path), mtime
        except (OSError, ValueError):  # keep the keys held: a half-written file is retried
            return

    def check(self, senders: tuple[str, ...], subject: str, msg_id: str | None,
              payload: bytes, header: str | None) -> str:
        """The sending service, when the header is its valid signature; else Untrusted."""
        if not header:
            raise Untrusted("unsigned")
        service, _, rest = header.partition(".")
        kid, _, signature = rest.partition(".")
        if service not in senders:
            raise Untrusted("signed by a service that does not send on this channel")
        self._refresh()
        key = self.keys.get(service, {}).get(kid)
        if key is None:
            raise Untrusted("signed by an unknown key")
        try:
            raw = unb64(signature)
        except ValueError:
            raise Untrusted("malformed signature") from None
        if not verify(key, raw, signed_bytes(subject, msg_id, payload)):
            raise Untrusted("signature does not hold")
        return service


def _read(path: Path) -> dict[str, dict[str, Ed25519PublicKey]]:
    data = json.loads(Path(path).read_text())
    return {service: {kid: public_from_raw(raw) for kid, raw in keys.items()}
            for service, keys in data.get("services", {}).items()}


def write_trust(path: Path, keys: dict[str, list[Ed25519PublicKey]]) -> None:
    """The trust file: every service's public keys, by kid."""
    data = {"services": {service: {fingerprint(k): b64(raw_public(k)) for k in held}
                         for service, held in sorted(keys.items())}}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True))
    tmp.replace(path)
