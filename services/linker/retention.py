"""The linker under data-sharing agreements: tag, purge, sweep, report, subject access.

Every event keeps the agreement it arrived under. An ended agreement's events go at
once; the retention sweep deletes events received longer ago than their agreement's
retention period. Either way the affected profiles are marked, so the scorer is sent
them again (empty ones too, so it clears them). Profiles carry the agreements that
supplied their events, which the scorer passes on in its flags.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import nats.errors
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import bus, erasure, subjects
from services.common import messages as m
from services.common import retention as common
from services.common.problems import Problem
from services.common.runtime import Runtime
from services.common.trust import Untrusted
from services.linker import repository as repo
from services.linker import service
from services.linker.models import Agreement, Event
from services.linker.repository import agreements_of, serialize

log = logging.getLogger("tessera.linker")

MEANINGS_TIMEOUT_S = 5.0  # as long as a slice waits for reidentify's leave


async def tag(session: AsyncSession, batch: m.EventBatch) -> int:
    """Give the batch's newly stored events its agreement; drop them if it has ended."""
    if not batch.agreement:
        return 0
    tokens = list({e.event_token for e in batch.events})
    await repo.tag_events(session, tokens, batch.agreement)
    if batch.agreement in await common.ended(session, Agreement):
        dropped = await repo.delete_tagged_events(session, tokens, batch.agreement)
        log.info("events batch chunk %d: %d dropped (agreement ended)", batch.chunk, dropped)
        return dropped
    return 0


async def with_agreements(session: AsyncSession, profiles: list[m.Profile]) -> list[m.Profile]:
    """The profiles, each with the agreements that supplied its events."""
    out = list(profiles)
    for level in ("person", "household"):
        found = await agreements_of(session, level,
                                    {p.pseudonym for p in profiles if p.level == level})
        for i, p in enumerate(out):
            if p.level == level and found.get(p.pseudonym):
                out[i] = p.model_copy(update={"agreements": sorted(found[p.pseudonym])})
    return out


async def _delete(session: AsyncSession, condition) -> tuple[int, service.Affected]:
    """Delete the events matching `condition`; the profiles they were part of, to resend."""
    affected = service.Affected()
    for level, person, household in await repo.assignments_of_events(session, condition):
        if person and level == "person":
            affected.must_persons.add(person)
        if household:
            affected.must_households.add(household)
    deleted = await repo.delete_events_where(session, condition)
    return deleted, affected


class Retention:
    def __init__(self, rt: Runtime, clock: Callable[[], datetime]):
        self.rt = rt
        self.clock = clock
        self.erasure_after = common.parse_duration(rt.settings.optout_erasure_after)

    async def notice(self, session: AsyncSession, message: m.AgreementNotice,
                     delivery: bus.Delivery) -> None:
        seq = await serialize(session)
        stored = await common.store_notice(session, Agreement, message)
        if not (stored.changed and stored.ended):
            return
        deleted, affected = await _delete(session, Event.agreement == message.agreement)
        await service.mark(session, affected, seq)
        log.info("agreement %s ended: %d events deleted", message.agreement, deleted)
        await erasure.agreement_ended(self.rt, session, message.agreement, {"events": deleted})

    async def sweep(self, as_of: datetime | None = None) -> int:
        """Delete events that outlived their agreement's retention (or whose agreement
        ended), and those withheld by an opt-out that has stood for optout_erasure_after;
        returns how many."""
        now = as_of or self.clock()
        async with self.rt.sessionmaker() as session, session.begin():
            seq = await serialize(session)
            condition = await common.expired(session, Agreement, now,
                                             held_under=lambda a: Event.agreement == a,
                                             received=Event.received_at)
            # and the events of a person whose opt-out has stood long enough
            condition = repo.sweep_condition(condition, now - self.erasure_after)
            deleted, affected = await _delete(session, condition)
            await service.mark(session, affected, seq)
            await erasure.swept(self.rt, session, Agreement, now, {"events": deleted})
        if deleted:
            log.info("retention sweep: %d events deleted", deleted)
        return deleted

    async def holdings(self, session: AsyncSession, agreement: str) -> dict[str, int]:
        events, tokens, persons, households = await repo.holdings_of(session, agreement)
        return {"events": int(events), "record_tokens": int(tokens),
                "persons": int(persons), "households": int(households)}

    async def _meanings(self, codes: set[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
        """What the codes mean, asked of the gateway's registry (the only place meanings
        are kept); a person reading their export must be able to read it."""
        if not codes:
            return {}
        try:
            reply = await self.rt.bus.request(subjects.MEANINGS, m.MeaningsQuery(
                codes=sorted(codes)), timeout=MEANINGS_TIMEOUT_S)
        except (nats.errors.Error, TimeoutError, Untrusted, ValidationError) as exc:
            log.warning("subject access: the registry did not answer (%s)",
                        type(exc).__name__)
            raise Problem(503, "Service Unavailable", "the registry did not say what the "
                          "codes mean; nothing was released", reason="unavailable") from None
        return {(x.dataset, x.code): x.meaning for x in reply.meanings}

    async def subject(self, session: AsyncSession, pseudonym: str) -> dict:
        events = [{"partner": p, "dataset": d, "agreement": a, "code": c,
                   "occurred_on": on, "received_at": at}
                  for p, d, a, c, on, at in await repo.person_events(session, pseudonym)]
        meanings = await self._meanings({(e["dataset"], e["code"]) for e in events})
        for e in events:
            e["meaning"] = meanings.get((e["dataset"], e["code"]))
        assigned = await repo.person_assignments(session, pseudonym)
        return {"events": events, "record_tokens": len(assigned),
                "households": sorted({h for h, _, _ in assigned if h}),
                "areas": sorted({a for _, a, _ in assigned if a})}
