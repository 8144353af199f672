"""One revocation list for the whole federation, shared over NATS.

A token revoked at any service (``POST /v1/revocations``, role ``admin``) is published
on ``tessera.tokens.revoked``; every service follows that subject, so the token is
refused everywhere within the time a message takes to cross the bus. The stream behind
the subject keeps each revocation for twice the longest lifetime a token may have, and a
service reads it whole at start-up and after every reconnection (a revocation published
while it was cut off is not missed). The list holds token ids, never a person.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from nats.js.errors import NotFoundError
from pydantic import ValidationError

from services.common import messages as m
from services.common import subjects
from services.common.db import utcnow
from services.common.trust import Untrusted

log = logging.getLogger("tessera.revocations")
CHANNEL = subjects.REVOCATIONS


class Revocations:
    """The revoked jtis in memory; ``is_revoked`` is a set lookup on every request."""

    def __init__(self, rt):
        self.rt = rt
        self.revoked: dict[str, m.TokenRevocation] = {}
        self._sub = None

    async def start(self) -> None:
        """Follow the subject first, then read the stream, so nothing falls in between."""
        self._sub = await self.rt.nc.subscribe(CHANNEL.subject, cb=self._on_message)
        await self.load()

    async def load(self) -> None:
        js = self.rt.js
        info = await js.stream_info(CHANNEL.stream)
        seq, last = info.state.first_seq, info.state.last_seq
        while info.state.messages and seq <= last:
            try:  # the next message at or after seq (gaps where messages expired)
                raw = await js.get_msg(CHANNEL.stream, seq, subject=CHANNEL.subject,
                                       next=True)
            except NotFoundError:  # none left
                break
            self._take(raw.subject, raw.data, raw.headers)
            seq = raw.seq + 1
        horizon = utcnow() - timedelta(seconds=CHANNEL.max_age_s)
        self.revoked = {j: r for j, r in self.revoked.items() if r.revoked_at >= horizon}
        log.info("revocations: %d in force", len(self.revoked))

    async def _on_message(self, msg) -> None:
        self._take(msg.subject, msg.data, msg.headers)

    def _take(self, subject: str, data: bytes, headers: dict | None) -> None:
        try:
            revocation = self.rt.bus.receive(CHANNEL, subject, data, headers)
        except (ValidationError, Untrusted) as exc:
            log.warning("revocations: a message was refused (%s)", type(exc).__name__)
            return
        self.revoked.setdefault(revocation.jti, revocation)

    def is_revoked(self, jti: str) -> bool:
        return jti in self.revoked

    async def revoke(self, jti: str, reason: str, by: str) -> tuple[m.TokenRevocation, bool]:
        """Publish a revocation (acknowledged by the stream before this returns) and apply
        it here at once. Revoking twice keeps the first; the bool says whether it is new."""
        held = self.revoked.get(jti)
        if held is not None:
            return held, False
        revocation = m.TokenRevocation(jti=jti, reason=reason, revoked_at=utcnow(),
                                       revoked_by=by, service=self.rt.service)
        await self.rt.bus.publish(CHANNEL, revocation, msg_id=f"revoke-{jti}")
        self.revoked.setdefault(jti, revocation)
        log.info("token revoked by %s", self.rt.service)
        return self.revoked[jti], True

    async def stop(self) -> None:
        if self._sub is not None:
            try:
                await self._sub.unsubscribe()
            except Exception as exc:  # the connection is closing anyway
                log.debug("revocations: unsubscribe failed: %s", type(exc).__name__)
            self._sub = None
