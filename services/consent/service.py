"""Consent's logic: pair requests with resolutions, record decisions, decide which is effective.

The effective decision for (person, scope) is the latest by decided_on, then by the
time it was recorded. Each new decision is published with whether it is effective and
its sequence, taken from the pairing lock's counter in the transaction that records it:
a decision published as effective has a larger sequence than every earlier one, so the
slices keep, of two they apply in either order, the one with the larger sequence.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.common.db import utcnow
from services.consent import repository
from services.consent.models import Decision


def request_decision_id(batch_id: str, chunk: int, item: int) -> str:
    """Stable: the same item of the same chunk always yields the same decision id."""
    digest = hashlib.sha256(f"{batch_id}\x1f{chunk}\x1f{item}".encode()).hexdigest()
    return f"dec-{digest[:32]}"


def new_decision_id() -> str:
    return f"dec-{uuid.uuid4().hex}"


@dataclass
class NewDecision:
    decision_id: str
    person: str
    household: str | None
    status: str
    scope: str
    decided_on: date
    evidence: str | None
    notice_version: str | None
    source: str
    record_token: str | None = None
    partner: str | None = None
    recorded_by: str | None = None
    agreement: str | None = None


async def create_decisions(session: AsyncSession,
                           new: list[NewDecision]) -> list[tuple[Decision, bool]]:
    """Insert decisions in order; each is effective when nothing recorded beats it."""
    if not new:
        return []
    winners = await repository.latest_decisions(session, (d.person for d in new))
    now = utcnow()
    first = await repository.take_sequences(session, len(new))
    rows = [Decision(**vars(d), recorded_at=now, sequence=first + i)
            for i, d in enumerate(new)]
    best: dict[tuple[str, str], Decision] = {}
    for row in rows:
        key = (row.person, row.scope)
        current = best.get(key) or winners.get(key)
        # a decision recorded later wins ties on decided_on
        if current is None or row.decided_on >= current.decided_on:
            best[key] = row
    await repository.add_decisions(session, rows)
    winning = {id(r) for r in best.values()}
    return [(row, id(row) in winning) for row in rows]


def to_message(row: Decision, effective: bool) -> m.ConsentDecision:
    return m.ConsentDecision(decision_id=row.decision_id, person=row.person,
                             household=row.household, status=row.status, scope=row.scope,
                             decided_on=row.decided_on, effective=effective,
                             sequence=row.sequence)


async def on_requests(session: AsyncSession,
                      batch: m.ConsentRequestBatch) -> list[m.ConsentDecision] | None:
    """Store a chunk of requests; decide those whose record token has resolved.

    Returns the decisions to publish, or None when this chunk was already applied.
    """
    await repository.serialise(session)
    if await repository.chunk_seen(session, batch.batch_id, batch.chunk):
        return None
    resolved = await repository.resolutions_for(session, (i.record_token for i in batch.items))
    now = utcnow()
    rows, new = [], []
    for index, item in enumerate(batch.items):
        decision_id = request_decision_id(batch.batch_id, batch.chunk, index)
        resolution = resolved.get(item.record_token)
        rows.append({
            "decision_id": decision_id, "record_token": item.record_token,
            "batch_id": batch.batch_id, "chunk": batch.chunk, "item": index,
            "partner": batch.partner, "dataset": batch.dataset, "status": item.status,
            "scope": item.scope, "evidence": item.evidence,
            "notice_version": item.notice_version, "decided_on": item.decided_on,
            "resolved": resolution is not None, "received_at": now,
            "agreement": batch.agreement,
        })
        if resolution is not None:
            new.append(NewDecision(
                decision_id, resolution.person, resolution.household, item.status, item.scope,
                item.decided_on, item.evidence, item.notice_version, "partner",
                record_token=item.record_token, partner=batch.partner,
                agreement=batch.agreement))
    await repository.insert_requests(session, rows)
    return [to_message(r, e) for r, e in await create_decisions(session, new)]


async def on_resolved(session: AsyncSession,
                      resolved: m.OptoutResolved) -> list[m.ConsentDecision]:
    """Record where a record token resolved; decide the requests waiting for it."""
    await repository.serialise(session)
    await repository.upsert_resolution(session, resolved.record_token, resolved.person,
                                       resolved.household)
    pending = await repository.pending_requests(session, resolved.record_token)
    new = [
        NewDecision(p.decision_id, resolved.person, resolved.household, p.status, p.scope,
                    p.decided_on, p.evidence, p.notice_version, "partner",
                    record_token=p.record_token, partner=p.partner, agreement=p.agreement)
        for p in pending
    ]
    await repository.mark_resolved(session, [p.id for p in pending])
    return [to_message(r, e) for r, e in await create_decisions(session, new)]


async def record(session: AsyncSession, *, pseudonym: str, status: str, scope: str,
                 evidence: str | None, notice_version: str | None, decided_on: date,
                 recorded_by: str, household: str | None = None) -> tuple[Decision, bool]:
    """A practitioner's decision (for example at an early help assessment)."""
    await repository.serialise(session)
    household = household or await repository.household_of(session, pseudonym)
    [(row, effective)] = await create_decisions(session, [NewDecision(
        new_decision_id(), pseudonym, household, status, scope, decided_on, evidence,
        notice_version, "practitioner", recorded_by=recorded_by)])
    return row, effective


async def decisions_of(session: AsyncSession, pseudonym: str) -> tuple[list[Decision], dict]:
    """Every decision for a pseudonym, oldest first, and the effective one per scope."""
    rows = await repository.decisions_for(session, pseudonym)
    effective = {row.scope: row.decision_id for row in rows}  # ordered: the last one wins
    return rows, effective


class Holdings:
    """What consent holds about a person, for a subject access release."""

    async def subject(self, session: AsyncSession, pseudonym: str) -> dict:
        rows, effective = await decisions_of(session, pseudonym)
        return {"decisions": [{
            "decision_id": r.decision_id, "status": r.status, "scope": r.scope,
            "decided_on": r.decided_on, "recorded_at": r.recorded_at, "source": r.source,
            "evidence": r.evidence, "notice_version": r.notice_version,
            "partner": r.partner, "agreement": r.agreement,
            "effective": effective.get(r.scope) == r.decision_id} for r in rows]}
