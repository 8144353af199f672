"""Verifying the access log, and signing its head into the export outside the database."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.reidentify import repository, signing
from services.reidentify.chain import GENESIS, canonical_at, entry_hash, row_fields

log = logging.getLogger("tessera.reidentify.audit")


async def verify(session: AsyncSession,
                 heads: list[signing.SignedHead] | None = None) -> dict:
    """Recompute the chain from the first entry (sequence, links, hashes), then check
    that every signed head matches the entry now stored at its seq."""
    heads = heads or []
    wanted = {h.seq for h in heads if h.seq is not None}
    stored: dict[int, str] = {}
    prev, expected_seq, count, first_bad = GENESIS, 1, 0, None
    last_seq = 0
    async for row in repository.scan_log(session):
        count += 1
        if first_bad is None and (
            row.seq != expected_seq or row.prev_hash != prev
            or row.hash != entry_hash(prev, row_fields(row))
        ):
            first_bad = row.seq
        if row.seq in wanted:
            stored[row.seq] = row.hash
        prev, expected_seq, last_seq = row.hash, row.seq + 1, row.seq
    problem = "chain" if first_bad is not None else None
    bad_heads = 0
    for head in heads:
        if not head.signature_ok:
            bad_heads += 1
            problem = problem or "head-signature"
            continue
        if head.seq not in stored:
            bad_heads += 1
            problem = problem or "truncated"
            missing = min(head.seq, last_seq + 1)
            first_bad = missing if first_bad is None else min(first_bad, missing)
        elif stored[head.seq] != head.hash:
            bad_heads += 1
            problem = problem or "head-mismatch"
            first_bad = head.seq if first_bad is None else min(first_bad, head.seq)
    signed = [h.seq for h in heads if h.signature_ok and h.seq is not None]
    return {"entries": count, "head": prev if count else None,
            "valid": problem is None, "first_bad_seq": first_bad, "problem": problem,
            "signed_heads": len(heads), "bad_signed_heads": bad_heads,
            "last_signed_seq": max(signed) if signed else None}


class HeadSigner:
    """Signs the current head when it has moved and appends it to the export file."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession],
                 key: Ed25519PrivateKey, export_path: Path):
        self.sessionmaker = sessionmaker
        self.key = key
        self.export_path = Path(export_path)
        self.public_key = key.public_key()
        self.last_signed: int | None = None
        self._lock = asyncio.Lock()

    async def sign(self) -> dict | None:
        """Sign the head if it changed since the last signature; returns the line or None."""
        async with self._lock:
            async with self.sessionmaker() as session:
                head = await repository.log_head(session)
            if head is None or head.seq == self.last_signed:
                return None
            line = signing.sign_head(self.key, head.seq, head.hash, canonical_at(head.at))
            await asyncio.to_thread(signing.append_head, self.export_path, line)
            self.last_signed = head.seq
            log.info("access log head %d signed", head.seq)
            return line

    def heads(self) -> list[signing.SignedHead]:
        return signing.read_heads(self.export_path, self.public_key)


async def verify_with_heads(session: AsyncSession, export_path: Path,
                            public_key_path: Path) -> dict:
    public_key = signing.load_public_key(public_key_path)
    heads = await asyncio.to_thread(signing.read_heads, export_path, public_key)
    return await verify(session, heads)
