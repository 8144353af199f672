"""HTTP routes: cohorts (no identities), the audited unlock, the access log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from services.common.auth import require_roles
from services.common.db import SessionDep
from services.common.tokens import Claims
from services.reidentify import repository, service
from services.reidentify.schemas import (
    AccessLogEntry,
    CohortMember,
    UnlockBody,
    UnlockReply,
    Verification,
)

router = APIRouter(prefix="/v1", tags=["reidentify"])

CohortReader = Annotated[Claims, Depends(require_roles("caseworker", "coordinator"))]
Caseworker = Annotated[Claims, Depends(require_roles("caseworker"))]
Auditor = Annotated[Claims, Depends(require_roles("auditor"))]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]


@router.get("/cohorts/{rule_id}", response_model=list[CohortMember])
async def cohort(rule_id: str, claims: CohortReader, session: SessionDep,
                 limit: Limit = 100, offset: Offset = 0) -> list[CohortMember]:
    rows = await repository.cohort(session, rule_id, claims.districts, limit, offset)
    return [CohortMember.model_validate(r, from_attributes=True) for r in rows]


@router.post("/unlock", response_model=UnlockReply)
async def unlock(body: UnlockBody, claims: Caseworker, request: Request) -> dict:
    reidentifier: service.Reidentifier = request.app.state.reidentifier
    return await reidentifier.unlock(claims, service.UnlockRequest(**body.model_dump()))


@router.get("/access-log", response_model=list[AccessLogEntry])
async def access_log(claims: Auditor, session: SessionDep, limit: Limit = 100,
                     offset: Offset = 0) -> list[AccessLogEntry]:
    rows = await repository.log_page(session, limit, offset)
    return [AccessLogEntry.model_validate(r, from_attributes=True) for r in rows]


@router.get("/access-log/verify", response_model=Verification)
async def verify(claims: Auditor, session: SessionDep) -> dict:
    return await service.verify(session)
