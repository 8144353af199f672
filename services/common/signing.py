"""Ed25519 signing keys behind one small interface, so a key can live in a file, a KMS or
an HSM.

A ``Signer`` signs bytes and names its public key. ``KeyFileSigner`` holds a PEM private
key (mounted from a secret store, or created under ``var/keys`` in development).
``CommandSigner`` hands the bytes to an external program and reads the signature back:
the private key then never enters the service's memory or file system. Any KMS or HSM
that can make Ed25519 signatures (a PKCS#11 token through ``pkcs11-tool``, a cloud KMS
through its command-line client, HashiCorp Vault's transit engine) plugs in with a
wrapper script; docs/security.md shows one.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)


class SigningKeyError(RuntimeError):
    """A signing key is missing, unreadable or of the wrong kind (refuse to start)."""


class Signer(Protocol):
    kid: str

    def sign(self, data: bytes) -> bytes: ...

    def public_key(self) -> Ed25519PublicKey: ...


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    """A key's id: the first 16 hex digits of the SHA-256 of its raw public bytes."""
    return hashlib.sha256(raw_public(key)).hexdigest()[:16]


def public_from_raw(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(unb64(text))


def verify(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


# --- private keys at rest --------------------------------------------------------------
#
# Every private key a service holds in a file (the log signing key, the bus keys, the
# development issuer's key) may be stored encrypted with a passphrase kept in another
# file (a separate secret: `private_key_passphrase_file`), and production refuses one
# stored unencrypted: a copy of the volume or of the secret alone then gives no key.


def read_passphrase(path: Path) -> bytes:
    try:
        passphrase = Path(path).read_bytes().strip()
    except OSError as exc:
        raise SigningKeyError(f"cannot read the key passphrase {path} "
                              f"({type(exc).__name__}); set private_key_passphrase_file") \
            from None
    if not passphrase:
        raise SigningKeyError(f"the key passphrase {path} is empty")
    return passphrase


def is_encrypted_pem(data: bytes) -> bool:
    """PKCS#8 (``ENCRYPTED PRIVATE KEY``) or OpenSSL's traditional encrypted PEM."""
    return b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in data or b"Proc-Type: 4,ENCRYPTED" in data


def load_private_key(path: Path, passphrase_file: Path | None = None, *,
                     what: str = "private key", refuse_plain: bool = False):
    """A PEM private key, decrypted with the passphrase in `passphrase_file` when it is
    stored encrypted. `refuse_plain` (production) refuses a key stored unencrypted."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"cannot read the {what} {path} ({type(exc).__name__})") \
            from None
    encrypted = is_encrypted_pem(data)
    if not encrypted and refuse_plain:
        raise SigningKeyError(
            f"the {what} {path} is stored unencrypted: in production encrypt it with a "
            "passphrase and set private_key_passphrase_file (tessera encrypt-key)")
    if encrypted and passphrase_file is None:
        raise SigningKeyError(f"the {what} {path} is encrypted: set "
                              "private_key_passphrase_file")
    password = read_passphrase(passphrase_file) if encrypted else None
    try:
        return serialization.load_pem_private_key(data, password=password)
    except (ValueError, TypeError) as exc:
        hint = " (a wrong passphrase?)" if encrypted else ""
        raise SigningKeyError(f"cannot read the {what} {path} "
                              f"({type(exc).__name__}){hint}") from None


def private_pem(key, passphrase: bytes | None = None) -> bytes:
    """PKCS#8 PEM of a private key, encrypted with `passphrase` when one is given."""
    encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                  else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             encryption)


class KeyFileSigner:
    def __init__(self, path: Path, passphrase_file: Path | None = None, *,
                 refuse_plain: bool = False):
        key = load_private_key(path, passphrase_file, what="signing key",
                               refuse_plain=refuse_plain)
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError(f"the signing key {path} is not an Ed25519 key")
        self._key = key
        self.kid = fingerprint(key.public_key())

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    def public_key(self) -> Ed25519PublicKey:
        return self._key.public_key()


class CommandSigner:
    """Signs by running ``command`` (argv) with the bytes on standard input; it prints
    the 64-byte Ed25519 signature, raw or base64, on standard output. Every signature
    is checked against the configured public key before it is used."""

    def __init__(self, command: list[str], public_key_path: Path, timeout_s: float = 10.0):
        if not command:
            raise SigningKeyError("the signing command is empty")
        self.command = command
        self.timeout_s = timeout_s
        self._public = load_public_key(public_key_path)
        self.kid = fingerprint(self._public)

    def sign(self, data: bytes) -> bytes:
        result = subprocess.run(self.command, input=data, capture_output=True,
                                timeout=self.timeout_s, check=False)
        if result.returncode != 0:
            raise SigningKeyError(f"the signing command failed (exit {result.returncode})")
        signature = result.stdout
        if len(signature) != 64:  # not raw: base64 (either alphabet), maybe with a newline
            text = signature.strip().replace(b"-", b"+").replace(b"_", b"/")
            try:
                signature = base64.b64decode(text + b"=" * (-len(text) % 4))
            except ValueError:
                raise SigningKeyError("the signing command gave no signature") from None
        if len(signature) != 64 or not verify(self._public, signature, data):
            raise SigningKeyError("the signing command gave a signature its public key refutes")
        return signature

    def public_key(self) -> Ed25519PublicKey:
        return self._public


def load_signer(key_path: Path | None, command: list[str] | None = None,
                public_key_path: Path | None = None, passphrase_file: Path | None = None, *,
                refuse_plain: bool = False) -> Signer:
    if command:
        if public_key_path is None:
            raise SigningKeyError("a signing command needs the path of its public key")
        return CommandSigner(command, public_key_path)
    if key_path is None:
        raise SigningKeyError("no signing key is configured")
    return KeyFileSigner(key_path, passphrase_file, refuse_plain=refuse_plain)


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise SigningKeyError(f"cannot read the public key {path} ({type(exc).__name__})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"{path} is not an Ed25519 public key")
    return key


def public_key_path(private_path: Path) -> Path:
    """The public half lives alongside: ``name.pem`` -> ``name.pub.pem``."""
    private_path = Path(private_path)
    return private_path.with_name(private_path.stem + ".pub.pem")


def write_key_pair(path: Path, passphrase: bytes | None = None) -> Ed25519PublicKey:
    """A new Ed25519 private key (0600, never overwritten; encrypted with `passphrase`
    when one is given) and its public half alongside."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    write_private(path, private_pem(key, passphrase))
    public_key_path(path).write_bytes(public_pem(key.public_key()))
    return key.public_key()


def write_private(path: Path, pem: bytes) -> None:
    """A private key file: created 0600 (never readable by others, even for a moment) and
    never over an existing one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)


# where a missing key file may be made on the spot; elsewhere it is a deployment's secret
CREATE_IN = ("development", "test")


def signer_for(key_path: Path | None, command: list[str] | None,
               public_key_path: Path | None, environment: str, what: str,
               setting: str, passphrase_file: Path | None = None, *,
               create: bool = True) -> Signer:
    """A log's key: a command (KMS/HSM) when one is set, else the PEM file (decrypted
    with the passphrase file's), created in development and tests when missing and
    refused elsewhere; production refuses a key file stored unencrypted."""
    if command:
        return load_signer(None, command, public_key_path)
    if key_path is None:
        raise SigningKeyError(f"set {setting} or its signing command")
    if not Path(key_path).exists():
        if not create or environment not in CREATE_IN:
            raise SigningKeyError(f"{what} is missing; set {setting}")
        write_key_pair(key_path, read_passphrase(passphrase_file) if passphrase_file
                       else None)
    return KeyFileSigner(key_path, passphrase_file, refuse_plain=environment == "production")
