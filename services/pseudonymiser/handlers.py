"""NATS handlers: identity and opt-out batches, consent decisions, reidentify requests.

Stream handlers run inside the consumer's transaction and publish only through the
outbox. The reidentify responder answers by core request-reply and stores nothing.
"""

from __future__ import annotations

import asyncio
import logging

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import bus, subjects
from services.common import messages as m
from services.common.runtime import Runtime
from services.common.sealing import Sealer, Unsealable
from services.common.trust import Untrusted
from services.pseudonymiser import identity
from services.pseudonymiser import repository as repo
from services.pseudonymiser.outgoing import publish
from services.pseudonymiser.releases import Releases
from services.pseudonymiser.service import Outcome, Pseudonymiser

log = logging.getLogger("tessera.pseudonymiser")

class Handlers:
    def __init__(self, rt: Runtime, service: Pseudonymiser, releases: Releases):
        self.rt = rt
        self.service = service
        self.releases = releases
        self.sealer = Sealer()
        self._inflight: set[asyncio.Task] = set()
        self._slots = asyncio.Semaphore(32)
        # SQLite: reidentify requests read synchronously (None on other databases)
        self.identity_reader = identity.SQLiteReader.for_url(
            rt.settings.database_url, rt.settings.database_key())

    def _publish(self, session: AsyncSession, outcome: Outcome) -> None:
        publish(self.rt.outbox, session, outcome)

    async def _batches(self, session: AsyncSession, batches: list[m.IdentityBatch],
                       purpose: str) -> None:
        """Several batches are linked in one pass (the scoring has a fixed cost a call).
        A group nobody scored ahead (the first of a burst) starts scoring now, in a worker
        thread, while the call reads what is held."""
        if purpose == "data" and self.rt.settings.score_ahead:
            self.service.linkage.start(batches)
        outcome = await self.service.ingest(session, batches, purpose)
        self._publish(session, outcome)
        for batch in batches:
            self.rt.outbox.add(session, subjects.PROGRESS, m.BatchProgress(
                batch_id=batch.batch_id, chunk=batch.chunk, service="pseudonymiser",
                processed=len(batch.rows)))

    async def identity(self, session: AsyncSession, message: m.IdentityBatch,
                       delivery: bus.Delivery) -> None:
        await self._batches(session, [message], "data")

    async def identity_group(self, session: AsyncSession, items) -> None:
        await self._batches(session, [message for message, _ in items], "data")

    async def optouts(self, session: AsyncSession, message: m.IdentityBatch,
                      delivery: bus.Delivery) -> None:
        await self._batches(session, [message], "optout")

    async def optouts_group(self, session: AsyncSession, items) -> None:
        await self._batches(session, [message for message, _ in items], "optout")

    async def decision(self, session: AsyncSession, message: m.ConsentDecision,
                       delivery: bus.Delivery) -> None:
        assignments = await self.service.decide(session, message)
        self._publish(session, Outcome(assignments=assignments))

    async def reidentify_concurrently(self, msg) -> None:
        """NATS runs a subscription's callbacks one at a time: answer each request in its
        own task (at most 32 at once) so one slow lookup does not queue the rest."""
        await self._slots.acquire()
        task = asyncio.create_task(self._answer(msg))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _answer(self, msg) -> None:
        try:
            await self.reidentify(msg)
        finally:
            self._slots.release()

    async def reidentify(self, msg) -> None:
        """Core NATS responder; a failure leaves the request unanswered (it times out)."""
        try:
            request = self.rt.bus.receive(subjects.REIDENTIFY, msg.subject, msg.data,
                                          msg.headers)
        except Untrusted as exc:
            log.warning("reidentify: request refused (%s)", exc)
            return
        except ValidationError as exc:
            log.warning("reidentify: unparseable request (%d errors)", exc.error_count())
            return
        try:
            refused = await self.releases.admit(request)
        except Exception as exc:  # the single use not established: no answer
            log.error("reidentify: access %d not admitted (%s)", request.access_id,
                      type(exc).__name__)
            return
        if refused is not None:
            log.warning("reidentify: request for access %d refused (%s)", request.access_id,
                        refused)
            await self.rt.bus.respond(msg, m.ReidentifyReply(found=False, refused=refused))
            return
        try:
            answer = None
            if not request.partner and self.identity_reader is not None:
                answer = self.identity_reader.answer(request)  # None: fall back below
            if answer is None:
                lookup = identity.partner_local_ids if request.partner else identity.answer
                async with self.rt.sessionmaker() as session:
                    answer = await lookup(session, request)
            released = m.Released(subjects=answer.subjects, local_ids=answer.local_ids)
            try:
                sealed = self.sealer.seal(request.reply_key, bus.encode(released),
                                          request.sealing_context())
            except Unsealable:
                await self.rt.bus.respond(msg, m.ReidentifyReply(found=False,
                                                                 refused="unsealable"))
                return
            await self.rt.bus.respond(msg, m.ReidentifyReply(
                found=answer.found, withheld=answer.withheld, sealed=sealed))
        except Exception as exc:
            log.error("reidentify failed: %s", type(exc).__name__)
            return
        if answer.subjects or answer.local_ids:
            self.releases.record(request, answer)
            self._tell_partners(request, answer)
        # every release is in the ledger, and every request in reidentify's access log
        log.debug("reidentify %s%s, access %d: found=%s withheld=%s subjects=%d local_ids=%d",
                 request.level, " (partner)" if request.partner else "", request.access_id,
                 answer.found, answer.withheld, len(answer.subjects), len(answer.local_ids))

    def _tell_partners(self, request: m.ReidentifyRequest, answer) -> None:
        """A security event for each partner whose records were released, which that
        partner reads: who unlocked one of its people, under which access id."""
        security = self.rt.security
        if security is None:
            return
        what = (f"{len(answer.local_ids)} local ids" if request.partner
                else f"{len(answer.subjects)} identities ({request.level})")
        for partner in sorted(answer.partners):
            security.log.record("release", "success", "identity release", sub=request.sub,
                                partner=partner, target=f"access_id={request.access_id}",
                                detail=f"{what}; org={request.org or '-'}")

    async def area(self, msg) -> None:
        """Where a person lives, for consent's check of a caseworker's districts."""
        try:
            query = self.rt.bus.receive(subjects.AREA, msg.subject, msg.data, msg.headers)
            async with self.rt.sessionmaker() as session:
                found, area, household = await repo.area_of(session, query.pseudonym)
            await self.rt.bus.respond(msg, m.AreaReply(found=found, area=area,
                                                       household=household))
        except (Untrusted, ValidationError) as exc:
            log.warning("area: request refused (%s)", type(exc).__name__)
        except Exception as exc:
            log.error("area failed: %s", type(exc).__name__)

    async def releases_page(self, msg) -> None:
        """The release ledger, a page at a time, for reidentify's verify-log."""
        try:
            query = self.rt.bus.receive(subjects.RELEASES, msg.subject, msg.data, msg.headers)
            await self.rt.bus.respond(msg, await self.releases.page(query))
        except (Untrusted, ValidationError) as exc:
            log.warning("releases: request refused (%s)", type(exc).__name__)
        except Exception as exc:
            log.error("releases failed: %s", type(exc).__name__)
