"""Verifying a slice's security log: the chain recomputed, and matched with its heads.

Problems (each names a seq, never an event's content):
``chain`` an entry's hash or link does not hold (changed, inserted or reordered);
``gap`` a seq is missing (an entry removed);
``truncated`` a signed head names a seq past the newest entry (entries removed at the end);
``head-mismatch`` a signed head's hash is not the entry's at its seq (the log rewritten);
``head-signature`` a head on the stream whose signature or key does not hold;
``heads-missing`` entries older than ``unsigned_grace_s`` that no signed head covers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.chain import GENESIS, link
from services.common.db import utcnow
from services.common.heads import check_head
from services.common.securitylog.table import FIELDS, SecurityEventMixin, fields_of

PAGE = 5000


@dataclass
class Verdict:
    valid: bool
    entries: int
    head_seq: int | None
    signed_seq: int | None
    problems: list[dict] = field(default_factory=list)
    at: datetime = field(default_factory=utcnow)

    def as_dict(self) -> dict:
        return {"valid": self.valid, "entries": self.entries, "head_seq": self.head_seq,
                "signed_seq": self.signed_seq, "problems": self.problems,
                "verified_at": self.at.isoformat()}


async def verify(session: AsyncSession, model: type[SecurityEventMixin],
                 heads: list[tuple[int, dict | None]], trusted: dict[str, Ed25519PublicKey],
                 unsigned_grace_s: float) -> Verdict:
    problems: list[dict] = []
    hashes: dict[int, str] = {}  # seq -> hash, for the heads to be matched against
    wanted = set()
    checked = []
    for stream_seq, head in heads:
        judged = check_head(head or {}, stream_seq, trusted)
        if not judged.signature_ok or judged.seq is None:
            problems.append({"problem": "head-signature", "stream_seq": stream_seq})
            continue
        checked.append(judged)
        wanted.add(judged.seq)
    prev, expected, count, newest = GENESIS, 1, 0, None
    after = 0
    while True:
        rows = (await session.execute(select(model).where(model.seq > after)
                                      .order_by(model.seq).limit(PAGE))).scalars().all()
        if not rows:
            break
        for row in rows:
            if row.seq != expected:
                problems.append({"problem": "gap", "seq": expected, "until": row.seq - 1})
                prev = row.prev_hash  # go on from what is there
            if row.prev_hash != prev or link(prev, {k: fields_of(row)[k] for k in FIELDS}) \
                    != row.hash:
                problems.append({"problem": "chain", "seq": row.seq})
            if row.seq in wanted:
                hashes[row.seq] = row.hash
            prev, expected, count, newest = row.hash, row.seq + 1, count + 1, row.seq
        after = rows[-1].seq
    signed = max((h.seq for h in checked), default=None)
    for judged in checked:
        if newest is None or judged.seq > newest:
            problems.append({"problem": "truncated", "seq": judged.seq})
        elif hashes.get(judged.seq) != judged.hash:
            problems.append({"problem": "head-mismatch", "seq": judged.seq})
    if newest is not None and (signed or 0) < newest:
        cutoff = utcnow() - timedelta(seconds=unsigned_grace_s)
        old = await session.scalar(select(model.seq).where(model.seq > (signed or 0))
                                   .where(model.at < cutoff).order_by(model.seq.desc())
                                   .limit(1))
        if old is not None:
            problems.append({"problem": "heads-missing", "seq": old})
    return Verdict(not problems, count, newest, signed, problems[:100])
