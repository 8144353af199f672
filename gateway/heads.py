"""The gateway keeps the signed heads of reidentify's access log, off reidentify's host.

Heads arrive on the AUDIT_HEADS stream (sent on the bus by reidentify, signed by its log
key). The gateway checks each against the log keys it trusts (``audit_log_key_paths``,
its own copy of the public keys) and keeps the first head it sees for each seq: a second,
different head for a seq already held is refused (logged as an error), so a log rewritten
and signed again disagrees with this copy, and verify-log reports ``heads-differ``. It serves its copy to verify-log over the bus,
and to auditors over HTTP (``audit.py``), from which it can be exported to a write-once
store.
"""

from __future__ import annotations

import logging

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway import repository
from services.common import bus, subjects
from services.common import messages as m
from services.common.heads import check_head
from services.common.trust import Untrusted

log = logging.getLogger("tessera.gateway.audit")


class HeadKeeper:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], messages: bus.Bus,
                 trusted: dict[str, Ed25519PublicKey]):
        self.sessionmaker = sessionmaker
        self.bus = messages
        self.trusted = trusted

    async def keep(self, session: AsyncSession, head: m.SignedHead,
                   delivery: bus.Delivery) -> None:
        """Consumer handler: keep a head that holds, once per seq."""
        verdict = check_head(head.model_dump(), 0, self.trusted)
        if not (verdict.signature_ok and verdict.key_trusted):
            log.error("access log head %d refused: %s", head.seq,
                      "signed by a key not trusted here" if not verdict.key_trusted
                      else "its signature does not hold")
            return
        held = await repository.audit_head(session, head.seq)
        if held is not None:
            if held.hash != head.hash:
                log.error("access log head %d refused: a different head for that seq is "
                          "already held (the log may have been rewritten)", head.seq)
            return
        await repository.add_audit_head(session, seq=head.seq, hash=head.hash, at=head.at,
                                        kid=head.kid, sig=head.sig)

    async def page(self, after: int, limit: int) -> list[m.SignedHead]:
        async with self.sessionmaker() as session:
            rows = await repository.audit_heads_after(session, after, limit)
        return [m.SignedHead(seq=r.seq, hash=r.hash, at=r.at, kid=r.kid, sig=r.sig)
                for r in rows]

    async def answer(self, msg) -> None:
        """Responder for verify-log's HeadsQuery."""
        try:
            query = self.bus.receive(subjects.HEADS, msg.subject, msg.data, msg.headers)
            heads = await self.page(query.after, query.limit)
            await self.bus.respond(msg, m.HeadsPage(heads=heads))
        except (Untrusted, ValidationError) as exc:
            log.warning("heads: request refused (%s)", type(exc).__name__)
        except Exception as exc:
            log.error("heads: %s", type(exc).__name__)
