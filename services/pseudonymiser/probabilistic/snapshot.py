"""The held records handed to a training process, sealed: never plaintext on disk.

A model job hands every held identity row (names, dates of birth, addresses) to the
trainer, a process of its own, through a file. The file is Parquet encrypted whole with
ChaCha20-Poly1305 under a key made for the one job, which the trainer reads on its
standard input (never its command line or environment) and which dies with the job.
DuckDB could write encrypted Parquet itself, but only with its httpfs extension, which
the pseudonymiser never loads (engine.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

NONCE = 12
AAD = b"tessera linkage snapshot v1"


def new_key() -> bytes:
    return ChaCha20Poly1305.generate_key()


def write(path: Path, table: pa.Table, key: bytes) -> None:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    nonce = os.urandom(NONCE)
    sealed = ChaCha20Poly1305(key).encrypt(nonce, sink.getvalue().to_pybytes(), AAD)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(nonce + sealed)


def read(path: Path, key: bytes) -> pa.Table:
    data = Path(path).read_bytes()
    plain = ChaCha20Poly1305(key).decrypt(data[:NONCE], data[NONCE:], AAD)
    return pq.read_table(pa.BufferReader(plain))
