"""Auditors read the gateway's copy of reidentify's signed heads (``heads.py`` keeps it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from gateway.state import State
from services.common import messages as m
from services.common.auth import require_roles
from services.common.problems import AUTHENTICATED
from services.common.tokens import Claims

router = APIRouter(prefix="/v1/audit", tags=["audit"], responses=AUTHENTICATED)
Auditor = Annotated[Claims, Depends(require_roles("auditor"))]


@router.get("/heads", name="list_audit_heads", response_model=list[m.SignedHead])
async def heads(claims: Auditor, state: State,
                after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
                limit: Annotated[int, Query(ge=1, le=500)] = 500) -> list[m.SignedHead]:
    """The access log's signed heads as this service keeps them, a page at a time. Written
    one to a line, they are the copy verify-log's --other-heads reads."""
    return await state.head_keeper.page(after, limit)
