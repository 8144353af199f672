"""Verifying the access log: the chain, its signed heads in every copy, and the
pseudonymiser's releases.

The chain is recomputed from the first entry (sequence, links, hashes). The signed heads
are read from two copies, the local export and the gateway's (kept off this host), each
head checked against the trusted log keys, which are configured apart from the signing
key. Then every head must match the entry now stored at its seq. The log is not valid
when a copy holds fewer heads than the other, when the copies disagree, when there is no
head at all for entries older than the signing interval allows, or when the
pseudonymiser released an identity the log does not account for.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import bus, subjects
from services.common import messages as m
from services.common.db import utcnow
from services.common.heads import SignedHead, check_head
from services.reidentify import repository
from services.reidentify.attempts import PARTNER_LOOKUP, UNLOCK
from services.reidentify.chain import GENESIS, entry_hash, row_fields
from services.reidentify.signing import read_heads

log = logging.getLogger("tessera.reidentify.audit")


@dataclass
class Evidence:
    """What the chain is checked against. A copy that could not be read is None."""

    copies: dict[str, list[SignedHead] | None] = field(default_factory=dict)
    releases: list[m.Release] | None = None
    check_releases: bool = False  # then a ledger that could not be read is a problem
    # entries newer than this may be unsigned yet; an older unsigned entry is a problem
    grace: timedelta = timedelta(minutes=3)


async def verify(session: AsyncSession, evidence: Evidence | None = None,
                 now: datetime | None = None) -> dict:
    evidence = evidence or Evidence()
    copies = evidence.copies
    heads = [h for held in copies.values() if held for h in held]
    wanted = {h.seq for h in heads if h.seq is not None}
    now = now or utcnow()
    held = {name: {h.seq: h.hash for h in hs if h.signature_ok and h.key_trusted}
            for name, hs in copies.items() if hs is not None}
    # a head signed moments ago may not have reached every copy yet
    recent = {h.seq for h in heads if h.at is not None and h.at >= now - evidence.grace}
    every = set().union(*held.values()) if held else set()
    signed = max(every) if every else None
    stored: dict[int, str] = {}
    prev, expected_seq, count, first_bad = GENESIS, 1, 0, None
    last_seq, first_unsigned_at = 0, None
    async for row in repository.scan_log(session):
        count += 1
        if row.seq == (signed or 0) + 1:
            first_unsigned_at = row.at
        if first_bad is None and (
            row.seq != expected_seq or row.prev_hash != prev
            or row.hash != entry_hash(prev, row_fields(row))
        ):
            first_bad = row.seq
        if row.seq in wanted:
            stored[row.seq] = row.hash
        prev, expected_seq, last_seq = row.hash, row.seq + 1, row.seq
    problems: list[str] = ["chain"] if first_bad is not None else []

    def bad(problem: str, seq: int | None = None) -> None:
        nonlocal first_bad
        problems.append(problem)
        if seq is not None:
            first_bad = seq if first_bad is None else min(first_bad, seq)

    bad_heads = 0
    for head in heads:
        if not head.key_trusted:
            bad_heads += 1
            bad("head-key")
        elif not head.signature_ok:
            bad_heads += 1
            bad("head-signature")
        elif head.seq not in stored:
            bad_heads += 1
            bad("truncated", min(head.seq, last_seq + 1))
        elif stored[head.seq] != head.hash:
            bad_heads += 1
            bad("head-mismatch", head.seq)

    missing = 0
    if any(hs is None for hs in copies.values()):
        bad("heads-unavailable")
    for seqs in held.values():
        missing += len(every - seqs.keys() - recent)
    if missing:
        bad("heads-missing")
    for seq in every:
        if len({seqs[seq] for seqs in held.values() if seq in seqs}) > 1:
            bad("heads-differ", seq)
    # entries the signer should have signed by now, and no copy holds a head for
    unsigned = max(0, last_seq - (signed or 0))
    if first_unsigned_at is not None and first_unsigned_at < now - evidence.grace:
        bad("heads-missing")

    unlogged = None
    if evidence.check_releases and evidence.releases is None:
        bad("releases-unavailable")
    if evidence.releases is not None:
        unlogged = await _unlogged(session, evidence.releases)
        if unlogged:
            bad("release-unlogged")
    return {"verified_at": now.isoformat(), "entries": count, "head": prev if count else None,
            "valid": not problems, "first_bad_seq": first_bad,
            "problem": problems[0] if problems else None, "problems": sorted(set(problems)),
            "signed_heads": len(copies.get("file") or []), "bad_signed_heads": bad_heads,
            "last_signed_seq": signed,
            "copies": {name: (len(hs) if hs is not None else None)
                       for name, hs in copies.items()},
            "missing_heads": missing, "unsigned_entries": unsigned,
            "releases_checked": len(evidence.releases) if evidence.releases is not None
            else None,
            "unlogged_releases": unlogged}


# a request is issued straight after its entry is committed; one issued later than this
# after its entry is an old access id sent again (by whoever holds reidentify's bus key)
ISSUED_WITHIN = timedelta(seconds=60)


async def _unlogged(session: AsyncSession, releases: Iterable[m.Release]) -> int:
    """Releases with no allowed entry of the same kind for the same pseudonym at their
    access id, written just before the request was issued."""
    releases = list(releases)
    entries = await repository.entries_at(session, [r.access_id for r in releases])
    count = 0
    for r in releases:
        entry = entries.get(r.access_id)
        kind = UNLOCK if r.partner is None else PARTNER_LOOKUP
        if (entry is None or entry.outcome != "allowed" or entry.ref is not None
                or (entry.action or UNLOCK) != kind or entry.pseudonym != r.pseudonym
                or abs(r.issued_at - entry.at) > ISSUED_WITHIN):
            count += 1
    return count


def signing_grace(settings) -> timedelta:
    """How old an entry may be with no signed head yet: two signing intervals and a
    minute (a signing may fail once; the signer retries at the next interval)."""
    return timedelta(seconds=2 * settings.head_signing_interval_s + 60)


class Witnesses:
    """Where the evidence comes from: the local export, the gateway's copy of the heads
    and the pseudonymiser's release ledger (both over the bus)."""

    PAGE = 5000

    def __init__(self, messages: bus.Bus | None, heads_path: Path,
                 trusted: dict[str, Ed25519PublicKey], grace: timedelta,
                 other_heads: Path | None = None):
        self.bus = messages
        self.heads_path = Path(heads_path)
        self.trusted = trusted
        self.grace = grace
        self.other_heads = other_heads

    async def evidence(self) -> Evidence:
        local = await asyncio.to_thread(read_heads, self.heads_path, self.trusted)
        if self.other_heads is not None:  # an exported copy instead of asking the gateway
            other = await asyncio.to_thread(read_heads, self.other_heads, self.trusted)
            name = "other"
        else:
            other, name = await self._keeper_heads(), "gateway"
        return Evidence(copies={"file": local, name: other},
                        releases=await self._releases(), grace=self.grace,
                        check_releases=self.bus is not None)

    async def _keeper_heads(self) -> list[SignedHead] | None:
        heads = await self._pages(subjects.HEADS, m.HeadsQuery, "heads", "seq",
                                  "the gateway's copy of the heads")
        return None if heads is None else [check_head(h.model_dump(), i, self.trusted)
                                           for i, h in enumerate(heads, start=1)]

    async def _releases(self) -> list[m.Release] | None:
        return await self._pages(subjects.RELEASES, m.ReleasesQuery, "releases",
                                 "access_id", "the pseudonymiser's release ledger")

    async def _pages(self, channel, query, items: str, key: str, what: str) -> list | None:
        """Every item of a paged request-reply (None when it could not be read)."""
        if self.bus is None:
            return None
        out: list = []
        after = 0
        try:
            while True:
                page = getattr(await self.bus.request(
                    channel, query(after=after, limit=self.PAGE), timeout=10), items)
                out += page
                if len(page) < self.PAGE:
                    return out
                after = getattr(page[-1], key)
        except Exception as exc:  # reported as evidence that could not be read
            log.warning("%s was not read (%s)", what, type(exc).__name__)
            return None
