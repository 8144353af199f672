"""Sealed replies: what only the asker can read, whoever else can see the message.

An identity travels from the pseudonymiser to reidentify on a reply subject. Anyone with
reidentify's NATS password could subscribe there too; sealing makes that worth nothing.
The asker sends a public X25519 key with its (signed) request; the answerer makes a fresh
key pair for each reply, derives a key from the two (HKDF-SHA256) and encrypts with
ChaCha20-Poly1305, binding the ciphertext to the request it answers (``context``).
Only the holder of the asker's private key, which never leaves its process, can open it.
"""

from __future__ import annotations

import os

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


class Opener:
    """The asker's side: a private key held in memory only, and its public half to send."""

    def __init__(self):
        self._private = X25519PrivateKey.generate()
        self._public = self._private.public_key().public_bytes(*_RAW)
        self.public = b64(self._public)

    def open(self, sealed: str, context: bytes) -> bytes:
        try:
            data = unb64(sealed)
            ephemeral, nonce, ciphertext = data[:32], data[32:44], data[44:]
            shared = self._private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
            return ChaCha20Poly1305(_key(shared, ephemeral, self._public)).decrypt(
                nonce, ciphertext, context)
        except (InvalidTag, ValueError) as exc:
            raise Unsealable(type(exc).__name__) from None


def seal(recipient: str, plaintext: bytes, context: bytes) -> str:
    """Encrypt for the holder of `recipient` (a public key from ``Opener.public``)."""
    try:
        recipient_raw = unb64(recipient)
        peer = X25519PublicKey.from_public_bytes(recipient_raw)
    except ValueError as exc:
        raise Unsealable("not an X25519 public key") from exc
    ephemeral = X25519PrivateKey.generate()
    ephemeral_raw = ephemeral.public_key().public_bytes(*_RAW)
    nonce = os.urandom(12)
    key = _key(ephemeral.exchange(peer), ephemeral_raw, recipient_raw)
    return b64(ephemeral_raw + nonce + ChaCha20Poly1305(key).encrypt(nonce, plaintext, context))
