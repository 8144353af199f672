"""The partner-facing routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse

from gateway import repository
from gateway.registry import describe
from gateway.schemas import (
    BatchReceipt,
    BatchStatus,
    BatchSummary,
    DatasetOut,
    EventRecord,
    IdentityRecord,
    OptoutRecord,
    request_body,
)
from gateway.service import Gateway
from gateway.state import State
from services.common.auth import require_scope
from services.common.problems import AUTHENTICATED, Problem, problem_responses
from services.common.sessions import SessionDep
from services.common.tokens import Claims

router = APIRouter(prefix="/v1", tags=["gateway"], responses=AUTHENTICATED)

PartnerClaims = Annotated[Claims, Depends(require_scope("ingest"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def gateway(state: State) -> Gateway:
    return state.gateway


GatewayDep = Annotated[Gateway, Depends(gateway)]


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed `limit`."""
    too_large = Problem(413, "Request too large", f"the body may be at most {limit} bytes")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


UPLOAD = {"status_code": 202, "response_model": BatchReceipt,
          "responses": problem_responses(404, 409, 413, 415, 503)}
# kind -> the row model and list key its JSON body is documented with.
UPLOADS = {"identities": (IdentityRecord, "records"), "events": (EventRecord, "events"),
           "optouts": (OptoutRecord, "records")}


def _add_upload_route(kind: str) -> None:
    """One route per kind, all sharing this body: authorise, read (bounded), ingest."""

    async def upload(dataset: str, request: Request, session: SessionDep,
                     claims: PartnerClaims, gw: GatewayDep,
                     idempotency_key: IdempotencyKey = None) -> JSONResponse:
        ds = await gw.authorise(session, claims.partner, dataset)
        body = await read_body(request, gw.settings.max_body_bytes)
        reply = await gw.ingest(session, ds, kind=kind, body=body,
                                content_type=request.headers.get("content-type"),
                                idempotency_key=idempotency_key)
        return JSONResponse(reply, status_code=202)

    row_model, key = UPLOADS[kind]
    upload.__name__ = upload.__qualname__ = f"upload_{kind}"
    router.post(f"/datasets/{{dataset}}/{kind}", name=f"upload_{kind}", **UPLOAD,
                openapi_extra=request_body(row_model, key))(upload)


for _kind in UPLOADS:
    _add_upload_route(_kind)


@router.get("/batches", response_model=list[BatchSummary])
async def list_batches(session: SessionDep, claims: PartnerClaims, gw: GatewayDep,
                       dataset: Annotated[str | None, Query(max_length=100)] = None,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100,
                       offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0):
    """The calling partner's batch receipts (of one of its datasets, or all), newest
    first, each with its status."""
    return await gw.batches(session, claims.partner, dataset, limit, offset)


@router.get("/batches/{batch_id}", response_model=BatchStatus,
            responses=problem_responses(404))
async def batch_status(batch_id: str, session: SessionDep, claims: PartnerClaims,
                       gw: GatewayDep):
    return await gw.status(session, claims.partner, batch_id)


@router.get("/batches/{batch_id}/receipt", response_model=BatchReceipt,
            responses=problem_responses(404))
async def batch_receipt(batch_id: str, session: SessionDep, claims: PartnerClaims,
                        gw: GatewayDep):
    """The receipt the upload was answered with: each rejected row by its index and
    field, never the value sent."""
    return await gw.receipt(session, claims.partner, batch_id)


@router.get("/datasets", response_model=list[DatasetOut])
async def list_datasets(session: SessionDep, claims: PartnerClaims):
    """The calling partner's registration: its datasets with their codes (meanings
    included: its own registry), retired ones with the day they were retired."""
    if not claims.partner:
        raise Problem(403, "Forbidden", "the token carries no partner claim")
    return await describe(session, await repository.datasets_of(session, claims.partner))
