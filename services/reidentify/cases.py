"""Subject access cases, and leave to release under them (``services.common.subject_access``).

A DPO opens a case with a reference, who made the request and a justification; it stays
open until closed or for ``case_days``. Leave to release is given to a slice (the one
whose tag the bus checked, never what the asker claims) for an open case and a DPO within
``rate_per_hour`` releases, and every answer, given or refused, is an entry in the access
log first: who, the case, the slice, search or export, the pseudonym. A search's results
are entries too (``sar-found``, one a person, naming the search), and a case exports only
the persons its searches found: a case is one request, not a licence to read anyone.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common import bus, subjects
from services.common import messages as m
from services.common.problems import Problem
from services.common.tokens import Claims
from services.common.trust import Untrusted
from services.reidentify import repository
from services.reidentify.ledger import Ledger
from services.reidentify.models import SubjectAccessCase

log = logging.getLogger("tessera.reidentify.cases")

HOUR = timedelta(hours=1)
PURPOSE = "subject-access"


class Cases:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], ledger: Ledger, *,
                 rate_per_hour: int, case_days: int, clock: Callable[[], datetime],
                 messages: bus.Bus | None = None):
        self.sessionmaker = sessionmaker
        self.bus = messages
        self.ledger = ledger
        self.rate_per_hour = rate_per_hour
        self.case_days = case_days
        self.clock = clock
        self._lock = asyncio.Lock()  # a rate check and its entry, one at a time

    async def _log(self, claims_sub: str, org: str | None, case_id: str | None, action: str,
                   outcome: str, reason: str | None = None, *, slice_: str | None = None,
                   pseudonym: str | None = None, justification: str | None = None) -> int:
        entry = await self.ledger.append({
            "sub": claims_sub, "org": org, "pseudonym": pseudonym, "rule_id": None,
            "purpose": PURPOSE, "justification": justification, "outcome": outcome,
            "reason": reason, "action": action, "case_id": case_id, "slice": slice_})
        return entry.seq

    async def open(self, claims: Claims, reference: str, requester: str,
                   justification: str) -> tuple[SubjectAccessCase, int]:
        """The entry first: a case nobody can see in the log does not exist."""
        now = self.clock()
        case_id = f"sar-{uuid.uuid4().hex[:16]}"
        seq = await self._log(claims.sub, claims.org, case_id, "sar-open", "allowed",
                              justification=justification)
        async with self.sessionmaker() as session, session.begin():
            row = await repository.add_case(
                session, case_id=case_id, reference=reference, requester=requester,
                justification=justification, opened_by=claims.sub, opened_org=claims.org,
                opened_at=now, expires_at=now + timedelta(days=self.case_days))
        log.info("subject access case opened, access %d", seq)
        return row, seq

    async def close(self, claims: Claims, case_id: str) -> tuple[SubjectAccessCase, int]:
        async with self.sessionmaker() as session, session.begin():
            row = await repository.case(session, case_id)
            if row is None:
                raise Problem(404, "Not found", "no such case")
            if row.closed_at is None:
                row.closed_at, row.closed_by = self.clock(), claims.sub
        seq = await self._log(claims.sub, claims.org, case_id, "sar-close", "allowed")
        return row, seq

    def _why_not(self, row: SubjectAccessCase | None) -> str | None:
        if row is None:
            return "no-case"
        if row.closed_at is not None:
            return "closed"
        if row.expires_at <= self.clock():
            return "expired"
        return None

    def is_open(self, row: SubjectAccessCase) -> bool:
        return self._why_not(row) is None

    async def grant(self, slice_: str, ask: m.ReleaseAsk) -> m.ReleaseGrant:
        """Leave for `slice_` (the sender) to release its part, logged either way."""
        if ask.action == "found":
            return await self._found(slice_, ask)
        async with self._lock:
            async with self.sessionmaker() as session:
                reason = self._why_not(await repository.case(session, ask.case_id))
                if reason is None and ask.action == "export" and not (
                        await repository.found_in_case(session, ask.case_id, ask.pseudonym)):
                    reason = "not-in-case"
                if reason is None:
                    given = await repository.subject_access_releases_since(
                        session, ask.sub, self.clock() - HOUR)
                    reason = "rate" if given >= self.rate_per_hour else None
            seq = await self._log(ask.sub, ask.org, ask.case_id, f"sar-{ask.action}",
                                  "refused" if reason else "allowed", reason, slice_=slice_,
                                  pseudonym=ask.pseudonym)
        if reason:
            log.info("subject access %s by %s refused (%s), access %d", ask.action, slice_,
                     reason, seq)
        return m.ReleaseGrant(allowed=reason is None, reason=reason, access_id=seq)

    async def _found(self, slice_: str, ask: m.ReleaseAsk) -> m.ReleaseGrant:
        """A search's results: one entry a person, each naming the search, before the DPO
        is told of them (the persons the case may then export)."""
        async with self.sessionmaker() as session:
            reason = self._why_not(await repository.case(session, ask.case_id))
            search = (await repository.entries_at(session, [ask.ref or 0])).get(ask.ref or 0)
        if reason is None and (search is None or search.case_id != ask.case_id
                               or search.action != "sar-search" or search.slice != slice_):
            reason = "no-search"
        if reason is not None:
            return m.ReleaseGrant(allowed=False, reason=reason)
        seq = None
        for pseudonym in ask.found:
            entry = await self.ledger.append({
                "sub": ask.sub, "org": ask.org, "pseudonym": pseudonym, "rule_id": None,
                "purpose": PURPOSE, "justification": None, "outcome": "allowed",
                "reason": None, "action": "sar-found", "ref": ask.ref,
                "case_id": ask.case_id, "slice": slice_})
            seq = entry.seq
        return m.ReleaseGrant(allowed=True, access_id=seq or ask.ref)

    async def answer(self, msg) -> None:
        """Responder for the slices' ReleaseAsk."""
        try:
            sender, ask = self.bus.receive_from(subjects.SUBJECT_ACCESS, msg.subject,
                                                msg.data, msg.headers)
        except (Untrusted, ValidationError) as exc:
            log.warning("subject access: request refused (%s)", type(exc).__name__)
            return
        try:
            await self.bus.respond(msg, await self.grant(sender, ask))
        except Exception as exc:  # unanswered: the slice releases nothing
            log.error("subject access: %s", type(exc).__name__)
