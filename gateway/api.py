"""The partner-facing routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse

from gateway import repository
from gateway.registry import describe
from gateway.schemas import (
    CSV_EXAMPLES,
    UPLOADS,
    BatchReceipt,
    BatchStatus,
    BatchSummary,
    DatasetOut,
)
from gateway.service import Gateway
from gateway.state import State
from services.common import openapi
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
# the operation names: uploadIdentities, uploadEvents, uploadOptOuts
NAMES = {"identities": "upload_identities", "events": "upload_events",
         "optouts": "upload_opt_outs"}
WHAT = {"identities": "people's (or properties') identities",
        "events": "events, each by one of the dataset's codes",
        "optouts": "opt-outs and consents"}


def upload_body(kind: str) -> dict:
    """The upload's body: JSON rows or the same rows as CSV, each with an example."""
    model = UPLOADS[kind]
    return openapi.body(
        json=model,
        text={"text/csv": "A header row naming the same fields as the JSON rows, then one "
                          "row per record; UTF-8 unless a charset is given"},
        examples={"application/json": {"rows": {"value": model.model_json_schema()[
                      "examples"][0]}},
                  "text/csv": {"rows": {"value": CSV_EXAMPLES[kind]}}})


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

    upload.__name__ = upload.__qualname__ = NAMES[kind]
    router.post(f"/datasets/{{dataset}}/{kind}", name=NAMES[kind], **UPLOAD,
                summary=f"Upload {kind}",
                description=f"Send a batch of {WHAT[kind]} to one of the calling partner's "
                "datasets (scope `ingest`), as JSON or CSV. Every row is checked on its "
                "own: the receipt counts the rows accepted and names each rejected row by "
                "its index and field, never echoing a value. An `Idempotency-Key` makes a "
                "retry safe: the same key and body replay the receipt, the same key with "
                "another body is refused with 409.",
                openapi_extra=upload_body(kind))(upload)


for _kind in UPLOADS:
    _add_upload_route(_kind)


@router.get("/batches", name="list_batches", response_model=list[BatchSummary])
async def list_batches(session: SessionDep, claims: PartnerClaims, gw: GatewayDep,
                       dataset: Annotated[str | None, Query(max_length=100)] = None,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100,
                       offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0):
    """The calling partner's batch receipts (of one of its datasets, or all), newest
    first, each with its status."""
    return await gw.batches(session, claims.partner, dataset, limit, offset)


@router.get("/batches/{batch_id}", name="get_batch_status", response_model=BatchStatus,
            responses=problem_responses(404))
async def batch_status(batch_id: str, session: SessionDep, claims: PartnerClaims,
                       gw: GatewayDep):
    """How far the pipeline has got with one of the calling partner's batches: rows accepted,
    processed and rejected."""
    return await gw.status(session, claims.partner, batch_id)


@router.get("/batches/{batch_id}/receipt", name="get_batch_receipt", response_model=BatchReceipt,
            responses=problem_responses(404))
async def batch_receipt(batch_id: str, session: SessionDep, claims: PartnerClaims,
                        gw: GatewayDep):
    """The receipt the upload was answered with: each rejected row by its index and
    field, never the value sent."""
    return await gw.receipt(session, claims.partner, batch_id)


@router.get("/datasets", name="list_datasets", response_model=list[DatasetOut])
async def list_datasets(session: SessionDep, claims: PartnerClaims):
    """The calling partner's registration: its datasets with their codes (meanings
    included: its own registry), retired ones with the day they were retired."""
    if not claims.partner:
        raise Problem(403, "Forbidden", "the token carries no partner claim")
    return await describe(session, await repository.datasets_of(session, claims.partner))
