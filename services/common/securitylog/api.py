"""Every slice's security log routes: read the events, verify the log.

Auditors, DPOs and admins read every event; a partner (a token with a ``partner``
claim and none of those roles) reads only the events about its own data: its own
calls, and changes to its partner record or agreement.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import select

from services.common.auth import require_roles, verified_claims
from services.common.problems import AUTHENTICATED, Problem
from services.common.state import SliceDep
from services.common.tokens import Claims

READERS = ("auditor", "dpo", "admin")

router = APIRouter(prefix="/v1/security-events", tags=["security log"],
                   responses=AUTHENTICATED)
Auditor = Annotated[Claims, Depends(require_roles("auditor", "admin"))]
Caller = Annotated[Claims, Depends(verified_claims)]


Kind = Literal["authentication", "authorisation", "change", "release", "verification"]


class SecurityEvent(BaseModel):
    seq: int
    at: datetime
    kind: Kind
    outcome: Literal["success", "failure", "refused"]
    sub: str | None
    roles: str | None
    partner: str | None
    agreement: str | None
    action: str
    target: str | None
    status: int | None
    detail: str | None
    hash: str


class SecurityEventPage(BaseModel):
    service: str
    events: list[SecurityEvent]
    next_after: int | None  # pass as ``after`` for the next page; None: no more


class SecurityLogVerification(BaseModel):
    service: str
    valid: bool
    entries: int
    head_seq: int | None
    signed_seq: int | None
    problems: list[dict]
    verified_at: datetime


@router.get("", name="list_security_events", response_model=SecurityEventPage)
async def events(state: SliceDep, claims: Caller,
                 after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                 kind: Kind | None = None,
                 sub: Annotated[str | None, Query(max_length=200)] = None
                 ) -> SecurityEventPage:
    """The slice's security events in order, from ``after`` (a seq), of one ``kind`` or
    one caller (``sub``) if asked. Auditors, DPOs and admins see all; a partner sees
    those about its own data."""
    security = state.rt.security
    model = security.log.model
    query = select(model).where(model.seq > after).order_by(model.seq).limit(limit)
    if not set(READERS) & set(claims.roles):
        if not claims.partner:
            raise Problem(403, "Forbidden", f"requires one of the roles: {', '.join(READERS)}, "
                          "or a partner's token")
        query = query.where(model.partner == claims.partner)
    if kind:
        query = query.where(model.kind == kind)
    if sub:
        query = query.where(model.sub == sub)
    await security.log.flush()
    async with state.sessionmaker() as session:
        rows = (await session.execute(query)).scalars().all()
    return SecurityEventPage(
        service=state.name,
        events=[SecurityEvent.model_validate(r, from_attributes=True) for r in rows],
        next_after=rows[-1].seq if len(rows) == limit else None)


@router.get("/verify", name="verify_security_log", response_model=SecurityLogVerification)
async def verify(state: SliceDep, _: Auditor) -> SecurityLogVerification:
    """Recompute the chain now and match it with the signed heads on the slice's stream."""
    verdict = await state.rt.security.verify()
    return SecurityLogVerification(service=state.name, **verdict.as_dict())
