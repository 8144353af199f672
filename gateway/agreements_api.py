"""Admin routes for the data-sharing agreements registry (clearance tokens, not partner ones).

- `GET /v1/agreements`, `GET /v1/agreements/{id}` (admin, auditor)
- `POST /v1/agreements` (admin): register; `PUT /v1/agreements/{id}` (admin): replace
- `POST /v1/agreements/{id}/end` (admin): end it; every slice removes its data
- `GET /v1/agreements/{id}/holdings` (admin, auditor): what the gateway holds under it
  (counts only; each slice answers the same route for its own slice)
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field, field_validator

from gateway import repository
from gateway.agreements import Registry, to_out
from gateway.schemas import ID
from gateway.state import State
from services.common.auth import require_roles
from services.common.clock import today
from services.common.durations import is_duration
from services.common.problems import AUTHENTICATED, Problem, problem_responses
from services.common.schemas import IsoDate, RequestBody
from services.common.sessions import SessionDep
from services.common.tokens import Claims

router = APIRouter(prefix="/v1/agreements", tags=["agreements"], responses=AUTHENTICATED)

Admin = Annotated[Claims, Depends(require_roles("admin"))]
Reader = Annotated[Claims, Depends(require_roles("admin", "auditor"))]
Auditor = Annotated[Claims, Depends(require_roles("admin", "auditor", "dpo"))]

PURPOSE = r"^[a-z0-9][a-z0-9._-]{0,99}$"


class AgreementFields(RequestBody):
    partner: str | None = Field(default=None, pattern=ID,
                                description="The partner, or none for a multi-party agreement")
    datasets: list[Annotated[str, Field(pattern=ID)]] = Field(default=[], max_length=200)
    legal_basis: str = Field(min_length=3, max_length=500,
                             examples=["Health and Social Care Act 2012 s251B"])
    purposes: list[Annotated[str, Field(pattern=PURPOSE)]] = Field(min_length=1, max_length=20)
    retention: str = Field(max_length=50, examples=["P2Y"],
                           description="ISO 8601 duration: how long each record is kept")
    valid_from: IsoDate
    valid_to: IsoDate | None = None

    @field_validator("retention")
    @classmethod
    def _duration(cls, value: str) -> str:
        if not is_duration(value):
            raise ValueError("must be an ISO 8601 duration such as P2Y, P6M or P30D")
        return value


class AgreementCreate(AgreementFields):
    id: str = Field(pattern=ID)


class EndBody(RequestBody):
    ended_on: IsoDate | None = Field(default=None, description="Default: today")


class AgreementOut(BaseModel):
    id: str
    partner: str | None
    datasets: list[str]
    legal_basis: str | None
    purposes: list[str]
    retention: str | None
    valid_from: date | None
    valid_to: date | None
    ended_on: date | None
    revision: int
    in_force: bool


class Holdings(BaseModel):
    agreement: str
    service: str
    counts: dict[str, int]


def registry(state: State) -> Registry:
    return state.agreements


RegistryDep = Annotated[Registry, Depends(registry)]


async def _out(session, agreement) -> dict:
    covered = await repository.datasets_by_agreement(session)
    return to_out(agreement, covered.get(agreement.id, []), today())


@router.get("", name="list_agreements", response_model=list[AgreementOut])
async def list_agreements(session: SessionDep, claims: Reader):
    """Every data-sharing agreement, with whether it is in force today and the datasets it
    covers."""
    covered = await repository.datasets_by_agreement(session)
    on = today()
    return [to_out(a, covered.get(a.id, []), on)
            for a in await repository.agreements(session)]


@router.get("/{agreement_id}", name="get_agreement", response_model=AgreementOut, responses=problem_responses(404))
async def get_agreement(agreement_id: str, session: SessionDep, claims: Reader):
    """One data-sharing agreement, as registered, with the datasets it covers."""
    agreement = await repository.agreement(session, agreement_id)
    if agreement is None:
        raise Problem(404, "Not found", "no such agreement")
    return await _out(session, agreement)


@router.post("", name="create_agreement", status_code=201, response_model=AgreementOut,
             responses=problem_responses(409, 503))
async def create_agreement(body: AgreementCreate, session: SessionDep, claims: Admin,
                           reg: RegistryDep):
    """Register a data-sharing agreement (role `admin`); every slice is told of it before the
    answer."""
    agreement, _ = await reg.put(session, body.id, body, claims.sub, create_only=True)
    return await _out(session, agreement)


@router.put("/{agreement_id}", name="replace_agreement", response_model=AgreementOut,
            responses={**problem_responses(409, 503), 201: {"description": "Created"}})
async def replace_agreement(agreement_id: str, body: AgreementFields, session: SessionDep,
                            claims: Admin, reg: RegistryDep, response: Response):
    """Register or revise an agreement by its id (role `admin`): a new revision, which every
    slice obeys from then on."""
    if re.match(ID, agreement_id) is None:
        raise Problem(422, "Request is not valid", "path 'agreement_id': invalid id")
    agreement, created = await reg.put(session, agreement_id, body, claims.sub)
    if created:
        response.status_code = 201
    return await _out(session, agreement)


@router.post("/{agreement_id}/end", name="end_agreement", response_model=AgreementOut,
             responses=problem_responses(404, 503))
async def end_agreement(agreement_id: str, session: SessionDep, claims: Admin,
                        reg: RegistryDep, body: EndBody | None = None):
    """End an agreement (role `admin`): no more uploads under it, and each slice's retention
    applies to what it holds."""
    on = (body.ended_on if body and body.ended_on else None) or today()
    agreement = await reg.end(session, agreement_id, on, claims.sub)
    return await _out(session, agreement)


async def _known(session, agreement_id: str) -> None:
    """404 for an agreement the gateway does not hold."""
    if await repository.agreement(session, agreement_id) is None:
        raise Problem(404, "Not found", "no such agreement")


class Revision(BaseModel):
    revision: int
    at: datetime
    actor: str
    terms: dict


@router.get("/{agreement_id}/revisions", name="list_agreement_revisions", response_model=list[Revision],
            responses=problem_responses(404))
async def revisions(agreement_id: str, session: SessionDep, claims: Auditor,
                    limit: Annotated[int, Query(ge=1, le=1000)] = 100):
    """Every revision of the agreement as it was announced to the slices, oldest first:
    its terms (purposes, retention, validity, datasets, ending), who made it and when."""
    await _known(session, agreement_id)
    return [Revision.model_validate(r, from_attributes=True)
            for r in await repository.revisions_of(session, agreement_id, limit)]


class Receipt(BaseModel):
    receipt_id: str
    service: str
    reason: str
    agreement: str | None
    at: str
    removed: dict[str, int]
    kid: str
    sig: str


@router.get("/{agreement_id}/receipts", name="list_agreement_receipts", response_model=list[Receipt],
            responses=problem_responses(404))
async def receipts(agreement_id: str, session: SessionDep, claims: Auditor,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 100):
    """The slices' signed receipts of what they deleted when the agreement ended: one per
    slice, counts by kind (dead letters included). Each signature is over the canonical
    JSON of the other fields, by the slice's events key (kid)."""
    await _known(session, agreement_id)
    return [Receipt.model_validate(r, from_attributes=True)
            for r in await repository.receipts_for(session, agreement_id, limit)]


@router.get("/{agreement_id}/holdings", name="get_agreement_holdings", response_model=Holdings,
            responses=problem_responses(404))
async def holdings(agreement_id: str, session: SessionDep, claims: Reader):
    """What the gateway holds under the agreement: batch receipts (counts, no rows)."""
    covered = await repository.datasets_by_agreement(session)
    await _known(session, agreement_id)
    datasets = covered.get(agreement_id, [])
    batches, rows = await repository.receipts_of(session, datasets)
    return Holdings(agreement=agreement_id, service="gateway",
                    counts={"datasets": len(datasets), "batches": batches,
                            "rows_accepted": rows})
