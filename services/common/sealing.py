"""Sealed replies: what only the asker can read, whoever else can see the message.

An identity travels from the pseudonymiser to reidentify on a reply subject. Anyone with
reidentify's NATS password could subscribe there too; sealing makes that worth nothing.
The asker sends a public X25519 key with its (authenticated) request; the answerer uses
an ephemeral key pair of its own, derives a key from the two (HKDF-SHA256) and encrypts
with ChaCha20-Poly1305 under a fresh random nonce, binding the ciphertext to the request
it answers (``context``). Only the holder of the asker's private key, which never leaves
its process, can open it.

The key exchange is what costs (a tenth of a millisecond an unlock on each side), so a
``Sealer`` keeps its ephemeral key, and the key derived with it, for ``ROTATE_S`` per
asker's key, and an ``Opener`` remembers the keys it derived: both live only in memory,
so a copy of either host's disk opens nothing that crossed the bus.
"""

from __future__ import annotations

import os
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.common.signing import b64, unb64

_INFO = b"tessera-seal/1"
_RAW = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class Unsealable(Exception):  # noqa: N818 - a verdict on a message
    """The sealed text was not made for this key and context, or was changed."""


def _key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=_INFO + ephemeral + recipient).derive(shared)


ROTATE_S = 60.0
KEEP = 64  # derived keys an opener remembers (a sealer's keys, as they rotate)


class Opener:
    """The asker's side: a private key held in memory only, and its public half to send."""

    def __init__(self):
        self._private = X25519PrivateKey.generate()
        self._public = self._private.public_key().public_bytes(*_RAW)
        self.public = b64(self._public)
        self._keys: dict[bytes, ChaCha20Poly1305] = {}

    def _cipher(self, ephemeral: bytes) -> ChaCha20Poly1305:
        cipher = self._keys.get(ephemeral)
        if cipher is None:
            shared = self._private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
            cipher = ChaCha20Poly1305(_key(shared, ephemeral, self._public))
            if len(self._keys) >= KEEP:
                self._keys.pop(next(iter(self._keys)))
            self._keys[ephemeral] = cipher
        return cipher

    def open(self, sealed: str, context: bytes) -> bytes:
        try:
            data = unb64(sealed)
            ephemeral, nonce, ciphertext = data[:32], data[32:44], data[44:]
            return self._cipher(ephemeral).decrypt(nonce, ciphertext, context)
        except (InvalidTag, ValueError) as exc:
            raise Unsealable(type(exc).__name__) from None


class Sealer:
    """The answerer's side: per asker's key, an ephemeral key pair and the key derived
    from the two, replaced every ``rotate_s``."""

    def __init__(self, rotate_s: float = ROTATE_S):
        self.rotate_s = rotate_s
        self._held: dict[str, tuple[float, bytes, ChaCha20Poly1305]] = {}

    def _for(self, recipient: str) -> tuple[bytes, ChaCha20Poly1305]:
        now = time.monotonic()
        held = self._held.get(recipient)
        if held is None or now - held[0] >= self.rotate_s:
            try:
                recipient_raw = unb64(recipient)
                peer = X25519PublicKey.from_public_bytes(recipient_raw)
            except ValueError as exc:
                raise Unsealable("not an X25519 public key") from exc
            ephemeral = X25519PrivateKey.generate()
            ephemeral_raw = ephemeral.public_key().public_bytes(*_RAW)
            cipher = ChaCha20Poly1305(_key(ephemeral.exchange(peer), ephemeral_raw,
                                           recipient_raw))
            self._held = {k: v for k, v in self._held.items()
                          if now - v[0] < self.rotate_s}  # forget rotated and idle keys
            held = self._held[recipient] = (now, ephemeral_raw, cipher)
        return held[1], held[2]

    def seal(self, recipient: str, plaintext: bytes, context: bytes) -> str:
        """Encrypt for the holder of `recipient` (a public key from ``Opener.public``)."""
        ephemeral_raw, cipher = self._for(recipient)
        nonce = os.urandom(12)
        return b64(ephemeral_raw + nonce + cipher.encrypt(nonce, plaintext, context))

