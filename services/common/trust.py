"""Every message on the bus is authenticated by the service that sends it, and checked by
the service that takes it.

A NATS password lets its holder publish on the subjects of that service's user. The
authentication tag makes the password alone worth nothing: a flag, a consent decision,
an identity request or any other message is accepted only when it carries a tag that
only a service the channel declares as a sender could have made
(``services.common.subjects``: publishers for messages and requests; for a reply, the
channel's consumers). The tag covers the subject and the message id as well as the
payload, so a message cannot be replayed on another subject or under another id.

Each service has a static X25519 key; the trust file lists every service's public key.
Two services derive the same secret from their keys (X25519, then HKDF-SHA256), and the
sender puts one tag per recipient service in the header:
``Tessera-Auth: <sender>.<kid>|<recipient>.<kid>:<tag>|...``. Only the sender and that
recipient hold the secret, so a recipient knows who sent it, and no third service can
forge it. The tag is keyed BLAKE2b (RFC 7693's MAC mode, 128 bits, in hex): Python's own
implementation takes about 2 µs where HMAC-SHA256 through OpenSSL 3 takes 4.5, and a
public-key signature took a tenth of a millisecond to make and more to check. The keys
are derived once per pair of keys.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.common.signing import (
    SigningKeyError,
    b64,
    load_private_key,
    private_pem,
    unb64,
    write_private,
)

HEADER = "Tessera-Auth"
_CONTEXT = b"tessera-bus/3\x00"
_RAW = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)
TAG_BYTES = 16


class Untrusted(Exception):  # noqa: N818 - a verdict, not an error in the code
    """Why a message was refused: no tag, a sender that may not send it, an unknown key,
    or a tag that does not hold (safe to log)."""


def signed_bytes(subject: str, msg_id: str | None, payload: bytes) -> bytes:
    return _CONTEXT + subject.encode() + b"\x00" + (msg_id or "").encode() + b"\x00" + payload


def kid_of(key: X25519PublicKey) -> str:
    return hashlib.sha256(key.public_bytes(*_RAW)).hexdigest()[:16]


def load_bus_key(path: Path, passphrase_file: Path | None = None, *,
                 refuse_plain: bool = False) -> X25519PrivateKey:
    key = load_private_key(path, passphrase_file, what="bus key", refuse_plain=refuse_plain)
    if not isinstance(key, X25519PrivateKey):
        raise SigningKeyError(f"the bus key {path} is not an X25519 key")
    return key


def write_bus_key(path: Path, passphrase: bytes | None = None) -> X25519PublicKey:
    """A new X25519 private key for a service (PEM, 0600, never over an existing file;
    encrypted with `passphrase` when one is given)."""
    key = X25519PrivateKey.generate()
    write_private(path, private_pem(key, passphrase))
    return key.public_key()


class Keyring:
    """This service's bus key and every service's public keys (the trust file, re-read
    when it changes, so a new key can be trusted everywhere before it is used)."""

    RECHECK_S = 1.0

    def __init__(self, service: str, key: X25519PrivateKey,
                 peers: dict[str, dict[str, X25519PublicKey]], path: Path | None = None):
        self.service = service
        self._key = key
        self.kid = kid_of(key.public_key())
        self.peers = peers
        self.path = Path(path) if path else None
        self._mtime = self.path.stat().st_mtime if self.path else None
        self._checked = time.monotonic()
        self._secrets: dict[tuple[str, str], bytes] = {}
        self._labels: dict[tuple[str, ...], list[tuple[str, bytes]]] = {}
        self._me = f"{service}.{self.kid}|"
        self._mine = f"{service}.{self.kid}:"

    @classmethod
    def load(cls, service: str, key_path: Path, trust_path: Path,
             passphrase_file: Path | None = None, *, refuse_plain: bool = False) -> Keyring:
        return cls(service, load_bus_key(key_path, passphrase_file, refuse_plain=refuse_plain),
                   _read(trust_path), trust_path)

    def _refresh(self) -> None:
        now = time.monotonic()
        if self.path is None or now - self._checked < self.RECHECK_S:
            return
        self._checked = now
        try:
            mtime = self.path.stat().st_mtime
            if mtime != self._mtime:
                self.peers, self._mtime = _read(self.path), mtime
                self._secrets.clear()  # a key dropped from the file is trusted no more
                self._labels.clear()
        except (OSError, ValueError):  # keep the keys held: a half-written file is retried
            return

    def _secret(self, peer: str, peer_kid: str) -> bytes | None:
        """The secret this key shares with one key of a peer (derived once)."""
        found = self._secrets.get((peer, peer_kid))  # cleared when the trust file changes
        if found is not None:
            return found
        key = self.peers.get(peer, {}).get(peer_kid)
        if key is None:  # never trusted, or no longer listed in the trust file
            return None
        shared = self._key.exchange(key)
        ends = sorted([(self.service, self.kid), (peer, peer_kid)])
        info = b"|".join(f"{s}.{k}".encode() for s, k in ends)
        secret = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                      info=b"tessera-bus-pair/1\x00" + info).derive(shared)
        self._secrets[(peer, peer_kid)] = secret
        return secret

    def _addressees(self, recipients: tuple[str, ...]) -> list[tuple[str, bytes]]:
        """Each key of each recipient still trusted: its label and the shared secret."""
        found = self._labels.get(recipients)
        if found is None:
            found = self._labels[recipients] = [
                (f"{peer}.{peer_kid}:", self._secret(peer, peer_kid))  # type: ignore[misc]
                for peer in recipients for peer_kid in self.peers.get(peer, {})]
        return found

    def stamp(self, recipients: tuple[str, ...], subject: str, msg_id: str | None,
              payload: bytes) -> str:
        """The header value: a tag for each recipient service's current key."""
        self._refresh()
        data = signed_bytes(subject, msg_id, payload)
        return self._me + "|".join(label + tag(secret, data)
                                   for label, secret in self._addressees(recipients))

    def check(self, senders: tuple[str, ...], subject: str, msg_id: str | None,
              payload: bytes, header: str | None) -> str:
        """The sending service, when the header holds a valid tag for this service;
        else Untrusted."""
        if not header:
            raise Untrusted("unauthenticated")
        who, _, rest = header.partition("|")
        sender, _, sender_kid = who.partition(".")
        if sender not in senders:
            raise Untrusted("sent by a service that does not send on this channel")
        self._refresh()
        secret = self._secret(sender, sender_kid)
        if secret is None:
            raise Untrusted("sent with an unknown key")
        mine = self._mine
        start = rest.find(mine)
        if start < 0 or (start > 0 and rest[start - 1] != "|"):
            raise Untrusted("not addressed to this service's key")
        end = rest.find("|", start)
        given = rest[start + len(mine):end if end >= 0 else None]
        actual = tag(secret, signed_bytes(subject, msg_id, payload))
        if not hmac.compare_digest(actual.encode(), given.encode()):
            raise Untrusted("the tag does not hold")
        return sender


def tag(secret: bytes, data: bytes) -> str:
    return hashlib.blake2b(data, key=secret, digest_size=TAG_BYTES).hexdigest()


def _read(path: Path) -> dict[str, dict[str, X25519PublicKey]]:
    data = json.loads(Path(path).read_text())
    return {service: {kid: X25519PublicKey.from_public_bytes(unb64(raw))
                      for kid, raw in keys.items()}
            for service, keys in data.get("services", {}).items()}


def write_trust(path: Path, keys: dict[str, list[X25519PublicKey]]) -> None:
    """The trust file: every service's public bus keys, by kid."""
    data = {"services": {service: {kid_of(k): b64(k.public_bytes(*_RAW)) for k in held}
                         for service, held in sorted(keys.items())}}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True))
    tmp.replace(path)
