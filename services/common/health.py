"""Liveness and readiness endpoints shared by every service."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text

from services.common.auth import require_roles
from services.common.problems import AUTHENTICATED
from services.common.state import SliceDep
from services.common.subjects import deadletter_stream
from services.common.tokens import Claims

router = APIRouter(tags=["health"])
ops = APIRouter(prefix="/v1/ops", tags=["ops"], responses=AUTHENTICATED)
Admin = Annotated[Claims, Depends(require_roles("admin"))]


class Liveness(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    """Whether the service is ready, each check by name, and why each failing one fails;
    a slice that elects a writer adds this replica's role and who writes."""

    model_config = ConfigDict(extra="allow")
    status: Literal["ok", "unavailable"]
    checks: dict[str, bool]
    waiting_for: dict[str, str] = Field(
        default_factory=dict, description="each failing check and what it waits for (503 only)")


class DeadLetter(BaseModel):
    """Where a dead letter came from and why it was set aside, never its content."""

    seq: int
    subject: str | None
    stream_seq: int
    deliveries: int
    reason: str | None
    bytes: int


class DeadLetters(BaseModel):
    service: str
    count: int = Field(description="dead letters held, of which the newest are listed")
    items: list[DeadLetter]


@router.get("/healthz", name="healthz")
async def healthz() -> Liveness:
    """Liveness: the process answers."""
    return Liveness(status="ok")


# the 503 answers with the same body, not a problem (services.common.openapi keeps it)
@router.get("/readyz", name="readyz", response_model=Readiness,
            responses={503: {"model": Readiness, "description": "Service Unavailable"}})
async def readyz(state: SliceDep):
    """Readiness: the database and NATS answer and the slice's own checks pass; 503 with what
    it waits for otherwise."""
    checks = {"database": False, "nats": False}
    try:
        async with state.sessionmaker() as session:
            await session.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception:  # noqa: S110 - readiness reports, it does not raise
        pass
    checks["nats"] = state.nc.is_connected
    checks.update(state.readiness())
    ok = all(checks.values())
    body = Readiness(status="ok" if ok else "unavailable", checks=checks,
                     waiting_for={} if ok else state.waiting_for(), **state.describe())
    return JSONResponse(body.model_dump(mode="json", exclude_defaults=True),
                        status_code=200 if ok else 503)


def unready(body: bytes) -> str:
    """The failing checks of a /readyz answer and why each fails, on one line."""
    try:
        answer = json.loads(body)
        failing = [k for k, ok in answer["checks"].items() if not ok]
        why = answer.get("waiting_for", {})
    except (ValueError, KeyError, AttributeError):
        return "(not a readiness answer)"
    return "failing: " + "; ".join(f"{k} ({why[k]})" if k in why else k for k in failing)


@ops.get("/dead-letters", name="list_dead_letters")
async def dead_letters(state: SliceDep, claims: Admin,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100) -> DeadLetters:
    """This service's dead letters: where each came from and why, never its content."""
    js = state.rt.js
    stream = deadletter_stream(state.name)
    info = await js.stream_info(stream)
    items = []
    last = info.state.last_seq
    first = max(info.state.first_seq, last - limit + 1)
    for seq in range(last, first - 1, -1) if info.state.messages else ():
        try:
            raw = await js.get_msg(stream, seq)
        except Exception:  # noqa: S112 - a gap in the sequence (purged message)
            continue
        h = raw.headers or {}
        items.append(DeadLetter(seq=seq, subject=h.get("Tessera-Subject"),
                                stream_seq=int(h.get("Tessera-Stream-Seq", 0)),
                                deliveries=int(h.get("Tessera-Deliveries", 0)),
                                reason=h.get("Tessera-Reason"), bytes=len(raw.data or b"")))
    return DeadLetters(service=state.name, count=info.state.messages, items=items)

router.include_router(ops)
