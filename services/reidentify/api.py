"""HTTP routes: cohorts (no identities), the audited unlock, the access log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from services.common.auth import require_roles, require_scope
from services.common.db import SessionDep
from services.common.problems import AUTHENTICATED, problem_responses
from services.common.tokens import Claims
from services.reidentify import audit, repository, service
from services.reidentify.attempts import PARTNER_LOOKUP, UNLOCK, AuditedRoute, audited
from services.reidentify.schemas import (
    AccessLogEntry,
    CohortMember,
    PartnerLookupReply,
    UnlockBody,
    UnlockReply,
    Verification,
)

router = APIRouter(prefix="/v1", tags=["reidentify"], responses=AUTHENTICATED)
# the audited doors: every attempt, refused early or not, is logged exactly once
doors = APIRouter(route_class=AuditedRoute)
CASE_LOOKUP = "case-lookup"

CohortReader = Annotated[Claims, Depends(require_roles("caseworker", "coordinator"))]
Caseworker = Annotated[Claims, Depends(require_roles("caseworker"))]
Auditor = Annotated[Claims, Depends(require_roles("auditor"))]
CaseLookup = Annotated[Claims, Depends(require_scope(CASE_LOOKUP))]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]  # SQLite and PostgreSQL integers


@router.get("/cohorts/{rule_id}", response_model=list[CohortMember])
async def cohort(rule_id: str, claims: CohortReader, session: SessionDep,
                 limit: Limit = 100, offset: Offset = 0) -> list[CohortMember]:
    rows = await repository.cohort(session, rule_id, claims.districts, limit, offset)
    return [CohortMember.model_validate(r, from_attributes=True) for r in rows]


@doors.post("/unlock", response_model=UnlockReply, responses=problem_responses(429, 503))
@audited(UNLOCK)
async def unlock(body: UnlockBody, claims: Caseworker, request: Request) -> dict:
    reidentifier: service.Reidentifier = request.app.state.reidentifier
    return await reidentifier.unlock(claims, service.UnlockRequest(**body.model_dump()),
                                     request.state.attempt)


@doors.post("/partner-lookup", response_model=PartnerLookupReply,
            responses=problem_responses(429, 503))
@audited(PARTNER_LOOKUP)
async def partner_lookup(body: UnlockBody, claims: CaseLookup, request: Request) -> dict:
    """A partner's own local IDs for a flagged subject (scope `case-lookup`): the same
    policy and access log as an unlock, and nothing another partner sent."""
    reidentifier: service.Reidentifier = request.app.state.reidentifier
    return await reidentifier.partner_lookup(
        claims, service.UnlockRequest(**body.model_dump()), request.state.attempt)


router.include_router(doors)


@router.get("/access-log", response_model=list[AccessLogEntry])
async def access_log(claims: Auditor, session: SessionDep, limit: Limit = 100,
                     offset: Offset = 0) -> list[AccessLogEntry]:
    rows = await repository.log_page(session, limit, offset)
    return [AccessLogEntry.model_validate(r, from_attributes=True) for r in rows]


@router.get("/access-log/verify", response_model=Verification)
async def verify(claims: Auditor, session: SessionDep, request: Request) -> dict:
    """The chain recomputed, and every signed head in the export checked against it."""
    evidence = await request.app.state.witnesses.evidence()
    return await audit.verify(session, evidence)
