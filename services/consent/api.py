"""HTTP routes: practitioners record decisions; the decisions of a pseudonym, by scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import event

from services.common import subjects
from services.common.auth import require_roles
from services.common.db import SessionDep, utcnow
from services.common.problems import AUTHENTICATED, Problem
from services.common.tokens import Claims
from services.consent import service
from services.consent.models import Decision
from services.consent.schemas import DecisionBody, DecisionList, DecisionOut

router = APIRouter(prefix="/v1", tags=["consent"], responses=AUTHENTICATED)

Recorder = Annotated[Claims, Depends(require_roles("caseworker", "coordinator"))]
Reader = Annotated[Claims, Depends(require_roles("caseworker", "coordinator", "auditor"))]


def _out(row: Decision, effective: bool) -> DecisionOut:
    return DecisionOut(
        decision_id=row.decision_id, pseudonym=row.person, household=row.household,
        status=row.status, scope=row.scope, evidence=row.evidence,
        notice_version=row.notice_version, decided_on=row.decided_on,
        recorded_at=row.recorded_at, source=row.source, effective=effective)


@router.post("/decisions", status_code=201, response_model=DecisionOut)
async def record_decision(body: DecisionBody, claims: Recorder, session: SessionDep,
                          request: Request) -> DecisionOut:
    if body.decided_on > (utcnow() + timedelta(days=1)).date():
        raise Problem(422, "Request is not valid", "field 'decided_on': is in the future")
    row, effective = await service.record(
        session, pseudonym=body.pseudonym, status=body.status, scope=body.scope,
        evidence=body.evidence, notice_version=body.notice_version,
        decided_on=body.decided_on, recorded_by=claims.sub)
    rt = request.app.state.rt
    rt.outbox.add(session, subjects.DECISIONS, service.to_message(row, effective))
    if rt.relay is not None:  # publish as soon as the unit of work commits
        event.listen(session.sync_session, "after_commit", lambda _s: rt.relay.wake(),
                     once=True)
    return _out(row, effective)


@router.get("/decisions", response_model=DecisionList)
async def list_decisions(claims: Reader, session: SessionDep,
                         pseudonym: Annotated[str, Query(min_length=1, max_length=64)]
                         ) -> DecisionList:
    rows, effective = await service.decisions_of(session, pseudonym)
    winners = set(effective.values())
    return DecisionList(pseudonym=pseudonym, effective=effective,
                        decisions=[_out(r, r.decision_id in winners) for r in rows])
