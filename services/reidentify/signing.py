"""The access log's signing key and its local export of signed heads.

Every so often the service signs ``{seq, hash, at}`` of the chain's head with its log key
(a ``services.common.signing.Signer``: a PEM file, or a command that reaches a KMS or
HSM; the format is ``services.common.heads``) and hands the line to every sink
(``heads.py``): a JSON-lines file, the NATS stream the gateway keeps, and optionally a
write-once directory. An auditor holding the public key can then check that the
database still contains, at each signed seq, exactly the entry that was signed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.common import signing
from services.common.heads import SignedHead, check_head
from services.common.signing import Signer


def log_signer(key_path: Path | None, command: list[str] | None,
               public_key_path: Path | None, environment: str,
               passphrase_file: Path | None = None, *, create: bool = True) -> Signer:
    """The access log's key (services.common.signing.signer_for)."""
    return signing.signer_for(key_path, command, public_key_path, environment,
                              "the access-log signing key", "log_signing_key_path",
                              passphrase_file, create=create)


def append_head(path: Path, head: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(head, sort_keys=True, separators=(",", ":")) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    with os.fdopen(fd, "a") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


def read_head_lines(path: Path) -> list[tuple[int, dict | None]]:
    """(line number, parsed line or None) of every non-blank line of an export."""
    path = Path(path)
    if not path.exists():
        return []
    out = []
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        out.append((number, data if isinstance(data, dict) else None))
    return out


def read_heads(path: Path, trusted: dict[str, Ed25519PublicKey]) -> list[SignedHead]:
    return [check_head(data, n, trusted) if data is not None else SignedHead(n, None, None,
                                                                             False)
            for n, data in read_head_lines(path)]


def last_heads(path: Path, count: int = 1000) -> list[dict]:
    """The newest `count` heads of the export (read from its end: it grows for ever)."""
    path = Path(path)
    if not path.exists():
        return []
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - count * 400))  # a line is about 200 bytes
        lines = fh.read().decode("utf-8", "replace").splitlines()[-count:]
    out = []
    for text in lines:
        try:
            data = json.loads(text)
        except ValueError:
            continue  # the first line read may be cut; a bad line is verify-log's to report
        if isinstance(data, dict):
            out.append(data)
    return out
