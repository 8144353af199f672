"""HTTP routes: practitioners record decisions; the decisions of a pseudonym, by scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import event

from services.common import subjects
from services.common.auth import require_roles
from services.common.problems import AUTHENTICATED, Problem, problem_responses
from services.common.sessions import SessionDep
from services.common.tokens import Claims
from services.consent import authority, service
from services.consent.models import Decision
from services.consent.schemas import DecisionBody, DecisionList, DecisionOut
from services.consent.state import State

router = APIRouter(prefix="/v1", tags=["consent"], responses=AUTHENTICATED)

# who may decide for whom, and which scopes: services/consent/authority.py
Practitioner = Annotated[Claims, Depends(require_roles(*authority.RECORDERS))]


def _out(row: Decision, effective: bool) -> DecisionOut:
    return DecisionOut(
        decision_id=row.decision_id, pseudonym=row.person, household=row.household,
        status=row.status, scope=row.scope, evidence=row.evidence,
        notice_version=row.notice_version, decided_on=row.decided_on,
        recorded_at=row.recorded_at, source=row.source, agreement=row.agreement,
        effective=effective)


@router.post("/decisions", name="record_decision", status_code=201, response_model=DecisionOut,
             responses=problem_responses(404, 503))
async def record_decision(body: DecisionBody, claims: Practitioner, session: SessionDep,
                          state: State) -> DecisionOut:
    """Record a practitioner's decision: a caseworker for people in their districts, a
    coordinator or DPO for anyone; never dated after today."""
    if body.decided_on > authority.today():
        raise Problem(422, "Request is not valid", "field 'decided_on': must not be after "
                      "today (a decision takes effect when it is made)")
    if not authority.scope_allowed(claims, body.scope):
        raise Problem(403, "Forbidden", "your role may not record decisions of this scope",
                      reason="scope")
    person = await authority.person_for(claims, body.pseudonym, state.people)
    row, effective = await service.record(
        session, pseudonym=body.pseudonym, status=body.status, scope=body.scope,
        evidence=body.evidence, notice_version=body.notice_version,
        decided_on=body.decided_on, recorded_by=claims.sub, household=person.household)
    rt = state.rt
    rt.outbox.add(session, subjects.DECISIONS, service.to_message(row, effective))
    if rt.relay is not None:  # publish as soon as the unit of work commits
        event.listen(session.sync_session, "after_commit", lambda _s: rt.relay.wake(),
                     once=True)
    return _out(row, effective)


@router.get("/decisions", name="list_decisions", response_model=DecisionList, responses=problem_responses(404, 503))
async def list_decisions(claims: Practitioner, session: SessionDep, state: State,
                         pseudonym: Annotated[str, Query(min_length=1, max_length=64)]
                         ) -> DecisionList:
    """A person's decisions, for whoever may decide for them."""
    await authority.person_for(claims, pseudonym, state.people)
    rows, effective = await service.decisions_of(session, pseudonym)
    winners = set(effective.values())
    return DecisionList(pseudonym=pseudonym, effective=effective,
                        decisions=[_out(r, r.decision_id in winners) for r in rows])
