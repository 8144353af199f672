"""HTTP routes: cohorts (no identities), the audited unlock, the access log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from services.common.auth import require_roles, require_scope
from services.common.export import csv_text
from services.common.problems import AUTHENTICATED, Problem, problem_responses
from services.common.sessions import SessionDep
from services.common.tokens import Claims
from services.reidentify import audit, repository, service
from services.reidentify.attempts import PARTNER_LOOKUP, UNLOCK, AuditedRoute, audited
from services.reidentify.schemas import (
    AccessLogEntry,
    AccessLogVerification,
    CaseBody,
    CaseOut,
    CohortMember,
    OwnUnlock,
    PartnerLookupReply,
    UnlockBody,
    UnlockReply,
)
from services.reidentify.state import ReidentifyState, State

router = APIRouter(prefix="/v1", tags=["reidentify"], responses=AUTHENTICATED)
# the audited doors: every attempt, refused early or not, is logged exactly once
doors = APIRouter(route_class=AuditedRoute)
CASE_LOOKUP = "case-lookup"

CohortReader = Annotated[Claims, Depends(require_roles("caseworker", "coordinator"))]
Caseworker = Annotated[Claims, Depends(require_roles("caseworker"))]
Auditor = Annotated[Claims, Depends(require_roles("auditor"))]
CaseLookup = Annotated[Claims, Depends(require_scope(CASE_LOOKUP))]
DPO = Annotated[Claims, Depends(require_roles("dpo"))]
CaseReader = Annotated[Claims, Depends(require_roles("dpo", "auditor"))]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]  # SQLite and PostgreSQL integers


@router.get("/cohorts/{rule_id}", name="get_cohort", response_model=list[CohortMember])
async def cohort(rule_id: str, claims: CohortReader, session: SessionDep,
                 limit: Limit = 100, offset: Offset = 0) -> list[CohortMember]:
    """The flagged members of a rule's cohort in the caller's districts, by pseudonym: no
    identities (unlock one to see who)."""
    rows = await repository.cohort(session, rule_id, claims.districts, limit, offset)
    return [CohortMember.model_validate(r, from_attributes=True) for r in rows]


@doors.post("/unlock", name="unlock", response_model=UnlockReply, responses=problem_responses(429, 503))
@audited(UNLOCK)
async def unlock(body: UnlockBody, claims: Caseworker, request: Request, state: State
                 ) -> dict:
    """Release one flagged person's identity to a caseworker, for a stated purpose and
    justification: the policy decides, and every attempt, refused or not, is in the access
    log."""
    return await state.reidentifier.unlock(claims, service.UnlockRequest(**body.model_dump()),
                                     request.state.attempt)


@doors.post("/partner-lookup", name="partner_lookup", response_model=PartnerLookupReply,
            responses=problem_responses(429, 503))
@audited(PARTNER_LOOKUP)
async def partner_lookup(body: UnlockBody, claims: CaseLookup, request: Request,
                         state: State) -> dict:
    """A partner's own local IDs for a flagged subject (scope `case-lookup`): the same
    policy and access log as an unlock, and nothing another partner sent."""
    return await state.reidentifier.partner_lookup(
        claims, service.UnlockRequest(**body.model_dump()), request.state.attempt)


router.include_router(doors)


@router.get("/unlocks/mine", name="list_own_unlocks", response_model=list[OwnUnlock])
async def own_unlocks(claims: Caseworker, session: SessionDep, limit: Limit = 100,
                      offset: Offset = 0) -> list[OwnUnlock]:
    """The caller's own unlock attempts, newest first: when, whom (by pseudonym), for what
    purpose and justification, and whether the identity was released."""
    rows = await service.own_unlocks(session, claims.sub, limit, offset)
    return [OwnUnlock.model_validate(r) for r in rows]


@router.get("/access-log", name="list_access_log", response_model=list[AccessLogEntry])
async def access_log(claims: Auditor, session: SessionDep, limit: Limit = 100,
                     offset: Offset = 0) -> list[AccessLogEntry]:
    """The access log (role `auditor`): every unlock and lookup attempt in order, with who, why
    and the outcome."""
    rows = await repository.log_page(session, limit, offset)
    return [AccessLogEntry.model_validate(r, from_attributes=True) for r in rows]


@router.get("/access-log/export.csv", name="export_access_log", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "The entries"}})
async def access_log_csv(claims: Auditor, session: SessionDep,
                         after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
                         limit: Annotated[int, Query(ge=1, le=10_000)] = 10_000) -> Response:
    """The entries after a seq, as a spreadsheet opens them safely (formula cells
    escaped: justifications are typed by people)."""
    rows = await repository.log_after(session, after, limit)
    entries = [AccessLogEntry.model_validate(r, from_attributes=True).model_dump()
               for r in rows]
    return Response(csv_text(entries, list(AccessLogEntry.model_fields)),
                    media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="access-log.csv"'})


@router.get("/access-log/verify", name="verify_access_log",
            response_model=AccessLogVerification)
async def verify(claims: Auditor, session: SessionDep, state: State) -> dict:
    """The chain recomputed, and every signed head in the export checked against it."""
    evidence = await state.witnesses.evidence()
    return await audit.verify(session, evidence)


# --- subject access cases (the releases themselves: services.common.subject_access) -------

cases = APIRouter(prefix="/v1/subject-access/cases", tags=["subject access"],
                  responses=AUTHENTICATED)


def _case(row, state: ReidentifyState, access_id: int | None = None) -> CaseOut:
    return CaseOut(case_id=row.case_id, reference=row.reference, requester=row.requester,
                   justification=row.justification, opened_by=row.opened_by,
                   opened_org=row.opened_org, opened_at=row.opened_at,
                   expires_at=row.expires_at, closed_at=row.closed_at,
                   closed_by=row.closed_by,
                   open=state.grants.is_open(row), access_id=access_id)


@cases.post("", name="open_case", response_model=CaseOut, status_code=201)
async def open_case(body: CaseBody, claims: DPO, state: State) -> CaseOut:
    """Open a subject access case (role `dpo`); each slice then releases its part under it."""
    row, seq = await state.grants.open(claims, body.reference, body.requester,
                                       body.justification)
    return _case(row, state, seq)


@cases.get("", name="list_cases", response_model=list[CaseOut])
async def list_cases(claims: CaseReader, session: SessionDep, state: State,
                     limit: Limit = 100, offset: Offset = 0,
                     open_only: bool = False) -> list[CaseOut]:
    """Subject access cases, newest first (roles `dpo`, `auditor`), or only the open ones."""
    rows = await repository.cases_page(session, limit, offset, open_only)
    return [_case(r, state) for r in rows]


@cases.get("/{case_id}", name="get_case", response_model=CaseOut, responses=problem_responses(404))
async def get_case(case_id: Annotated[str, Path(max_length=40)], claims: CaseReader,
                   session: SessionDep, state: State) -> CaseOut:
    """One subject access case (roles `dpo`, `auditor`)."""
    row = await repository.case(session, case_id)
    if row is None:
        raise Problem(404, "Not found", "no such case")
    return _case(row, state)


@cases.post("/{case_id}/close", name="close_case", response_model=CaseOut, responses=problem_responses(404))
async def close_case(case_id: Annotated[str, Path(max_length=40)], claims: DPO,
                     state: State) -> CaseOut:
    """Close a subject access case (role `dpo`): no slice releases under it any more."""
    row, seq = await state.grants.close(claims, case_id)
    return _case(row, state, seq)
