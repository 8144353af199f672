"""A slice's security log at work: the recorder, its signed heads and the scheduled
verification, started and stopped with the slice's runtime."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common import signing
from services.common.heads import trusted_keys
from services.common.securitylog import verify as verifying
from services.common.securitylog.heads import HeadKeeper, read_heads
from services.common.securitylog.recorder import SecurityLog
from services.common.securitylog.table import SecurityEventMixin
from services.common.settings import ServiceSettings

log = logging.getLogger("tessera.securitylog")


class SecurityEvents:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession],
                 model: type[SecurityEventMixin], js, settings: ServiceSettings):
        self.settings = settings
        self.service = settings.service_name
        self.js = js
        self.log = SecurityLog(sessionmaker, model)
        self.signer = signing.signer_for(
            settings.events_signing_key_path, settings.events_signing_command,
            settings.events_signing_public_key_path, settings.environment,
            "the security log's signing key", "events_signing_key_path",
            settings.private_key_passphrase_file)
        self.heads = HeadKeeper(self.log, self.signer, js, self.service)
        # the current key, and earlier ones so heads signed before a rotation still hold
        self.trusted = {**trusted_keys(settings.events_public_key_paths),
                        self.signer.kid: self.signer.public_key()}
        self.last: verifying.Verdict | None = None
        self.failures = 0  # verifications that found a problem since start-up

    async def verify(self) -> verifying.Verdict:
        """Recompute the chain and match it with the heads on the stream; a failure is
        logged as an error, counted, and recorded as an event of its own."""
        await self.log.flush()
        heads = await read_heads(self.js, self.service)
        # entries may wait one signing interval for their head, and the signing a minute
        grace = 2 * self.settings.security_head_interval_s + 60
        async with self.log.sessionmaker() as session:
            verdict = await verifying.verify(session, self.log.model, heads, self.trusted,
                                             grace)
        self.last = verdict
        if not verdict.valid:
            self.failures += 1
            kinds = sorted({p["problem"] for p in verdict.problems})
            log.error("security log verification FAILED: %s", ", ".join(kinds))
        self.log.record("verification", "success" if verdict.valid else "failure",
                        "verify security log", detail=None if verdict.valid else
                        ",".join(sorted({p["problem"] for p in verdict.problems})))
        return verdict

    async def close(self) -> None:
        """Write what has queued and sign the last head (at shutdown)."""
        await self.log.flush()
        await self.heads.sign()

    def start(self, every) -> list[asyncio.Task]:
        """The writer, head signing and verification (``every``: the runtime's)."""
        s = self.settings
        every(s.security_head_interval_s, self.heads.sign, "security-heads")
        every(s.security_verify_interval_s, self.verify, "security-verify")

        async def first():  # one signing and one verification soon after start-up
            await asyncio.sleep(1.0)
            try:
                await self.heads.sign()
                await self.verify()
            except Exception as exc:
                log.warning("first security log check not done: %s", type(exc).__name__)

        return [asyncio.create_task(self.log.run(), name=f"{self.service}-security-log"),
                asyncio.create_task(first(), name=f"{self.service}-security-first")]
