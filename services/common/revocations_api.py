"""The route every service serves to revoke a token (``services.common.revocations``
keeps the list)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from services.common.auth import require_roles
from services.common.problems import AUTHENTICATED
from services.common.state import SliceDep
from services.common.tokens import Claims


class RevocationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jti: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=200)


class Revocation(BaseModel):
    jti: str
    revoked_at: datetime
    reason: str
    service: str


Admin = Annotated[Claims, Depends(require_roles("admin"))]
router = APIRouter(prefix="/v1", tags=["tokens"], responses=AUTHENTICATED)


@router.post("/revocations", name="revoke_token", response_model=Revocation, status_code=201,
             responses={200: {"model": Revocation, "description": "Already revoked"}})
async def revoke(body: RevocationBody, claims: Admin, state: SliceDep,
                 response: Response) -> Revocation:
    """Refuse a token (by its jti) from now on, at every service; revoking twice keeps the
    first revocation."""
    revocations = state.rt.revocations
    held, new = await revocations.revoke(body.jti, body.reason, claims.sub)
    if not new:
        response.status_code = 200
    return Revocation(jti=held.jti, revoked_at=held.revoked_at, reason=held.reason,
                      service=held.service)
