"""The security log's signed heads, kept off the slice's database.

Each time the head has moved, ``HeadKeeper`` signs it (services.common.heads, the
access log's format, with the slice's own events key) and publishes it on the slice's
SECURITY_<SLICE> stream, which no user may delete from or purge and which keeps every
head for ever. Rewriting the table then cannot go unnoticed: verification matches the
chain with the heads read back from that stream.
"""

from __future__ import annotations

import asyncio
import json
import logging

from nats.js.errors import NotFoundError

from services.common.chain import canonical_at
from services.common.heads import sign_head
from services.common.signing import Signer
from services.common.subjects import security_heads_stream, security_heads_subject

log = logging.getLogger("tessera.securitylog")


class HeadKeeper:
    def __init__(self, events, signer: Signer, js, service: str):
        self.events = events  # a SecurityLog
        self.signer = signer
        self.js = js
        self.service = service
        self.last_signed: int | None = None
        self._unsent: list[dict] = []
        self._lock = asyncio.Lock()

    async def sign(self) -> dict | None:
        """Sign the head if it moved since the last signature, then publish every signed
        head not yet on the stream (returns the new one, if any)."""
        async with self._lock:
            await self.events.flush()
            async with self.events.sessionmaker() as session:
                head = await self.events.head(session)
            line = None
            if head is not None and head.seq != self.last_signed:
                line = sign_head(self.signer, head.seq, head.hash, canonical_at(head.at))
                self._unsent.append(line)
                self.last_signed = head.seq
            while self._unsent:
                first = self._unsent[0]
                try:
                    await self.js.publish(
                        security_heads_subject(self.service), json.dumps(first).encode(),
                        headers={"Nats-Msg-Id": f"head-{first['seq']}-{first['hash'][:16]}"})
                except Exception as exc:  # kept for the next signing
                    log.warning("security log head not published (%s); %d waiting",
                                type(exc).__name__, len(self._unsent))
                    break
                self._unsent.pop(0)
            return line


async def read_heads(js, service: str, after_seq: int = 0) -> list[tuple[int, dict | None]]:
    """(stream sequence, head) of every head on the slice's stream past ``after_seq`` (a
    stream sequence); a line that is not JSON is None."""
    stream, subject = security_heads_stream(service), security_heads_subject(service)
    out: list[tuple[int, dict | None]] = []
    seq = after_seq + 1
    while True:
        try:
            msg = await js.get_msg(stream, seq=seq, subject=subject, next=True)
        except NotFoundError:
            return out
        try:
            head = json.loads(msg.data)
        except ValueError:
            head = None
        out.append((msg.seq, head if isinstance(head, dict) else None))
        seq = msg.seq + 1
