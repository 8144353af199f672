"""Admin routes for the live registry: partners, datasets and codes (clearance tokens).

- `GET /v1/registry` (admin, auditor, dpo, coordinator): everything, with its revision
- `GET /v1/registry/changes?after=N` (same): who changed what, when, before and after
- `PUT /v1/registry/partners/{id}` (admin): create or rename; `POST .../retire`
- `PUT /v1/registry/datasets/{id}` (admin): create or replace a dataset and its codes;
  `POST .../retire`

A partner reads its own registration at `GET /v1/datasets` with its partner token.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from gateway import repository
from gateway.registry import PartnerRegistry, describe
from gateway.schemas import (
    ID,
    DatasetFields,
    DatasetOut,
    PartnerFields,
    PartnerOut,
    RegistryChangeOut,
    RegistryOut,
)
from gateway.state import State
from services.common.auth import require_roles
from services.common.clock import today
from services.common.problems import AUTHENTICATED, Problem, problem_responses
from services.common.schemas import IsoDate, RequestBody
from services.common.sessions import SessionDep
from services.common.tokens import Claims

router = APIRouter(prefix="/v1/registry", tags=["registry"], responses=AUTHENTICATED)

Admin = Annotated[Claims, Depends(require_roles("admin"))]
Reader = Annotated[Claims, Depends(require_roles("admin", "auditor", "dpo", "coordinator"))]


def registry(state: State) -> PartnerRegistry:
    return state.registry


RegistryDep = Annotated[PartnerRegistry, Depends(registry)]


class RetireBody(RequestBody):
    retired_on: IsoDate | None = None


def _id(value: str, name: str) -> str:
    if re.match(ID, value) is None:
        raise Problem(422, "Request is not valid", f"path '{name}': invalid id")
    return value


def partner_out(p) -> dict:
    return {"id": p.id, "name": p.name, "retired_on": p.retired_on, "managed_by": p.managed_by}


@router.get("", name="get_registry", response_model=RegistryOut)
async def whole_registry(session: SessionDep, claims: Reader):
    """The whole partner registry: every partner and dataset with its codes, and the revision
    it is at."""
    partners = await repository.partners_by_id(session)
    return {"revision": await repository.registry_revision(session),
            "partners": [partner_out(p) for p in partners.values()],
            "datasets": await describe(session, await repository.datasets_of(session))}


@router.get("/changes", name="list_registry_changes", response_model=list[RegistryChangeOut])
async def changes(session: SessionDep, claims: Reader,
                  after: Annotated[int, Query(ge=0)] = 0,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 200):
    """The registry's change log after a revision: who changed which partner, dataset or code,
    and how."""
    return await repository.registry_changes(session, after, limit)


@router.put("/partners/{partner_id}", name="put_partner", response_model=PartnerOut,
            responses={**problem_responses(409), 201: {"description": "Created"}})
async def put_partner(partner_id: str, body: PartnerFields, session: SessionDep,
                      claims: Admin, reg: RegistryDep, response: Response):
    """Register or rename a partner (role `admin`); 201 when it is new."""
    p, created = await reg.put_partner(session, _id(partner_id, "partner_id"), body.name,
                                       claims.sub)
    if created:
        response.status_code = 201
    return partner_out(p)


@router.post("/partners/{partner_id}/retire", name="retire_partner", response_model=PartnerOut,
             responses=problem_responses(404))
async def retire_partner(partner_id: str, session: SessionDep, claims: Admin,
                         reg: RegistryDep, body: RetireBody | None = None):
    """No more uploads from the partner or any of its datasets; what it sent is kept."""
    on = (body.retired_on if body and body.retired_on else None) or today()
    return partner_out(await reg.retire_partner(session, partner_id, on, claims.sub))


@router.put("/datasets/{dataset_id}", name="put_dataset", response_model=DatasetOut,
            responses={**problem_responses(409, 503), 201: {"description": "Created"}})
async def put_dataset(dataset_id: str, body: DatasetFields, session: SessionDep,
                      claims: Admin, reg: RegistryDep, response: Response):
    """Create or replace a dataset and its codes. A code left out is retired (refused in
    new uploads, its events kept); a changed category re-scores what is held."""
    ds, created = await reg.put_dataset(session, _id(dataset_id, "dataset_id"), body,
                                        claims.sub)
    if created:
        response.status_code = 201
    return (await describe(session, [ds]))[0]


@router.post("/datasets/{dataset_id}/retire", name="retire_dataset", response_model=DatasetOut,
             responses=problem_responses(404))
async def retire_dataset(dataset_id: str, session: SessionDep, claims: Admin,
                         reg: RegistryDep, body: RetireBody | None = None):
    """Retire a dataset (role `admin`): no more uploads to it; what it sent is kept as its
    agreement says."""
    on = (body.retired_on if body and body.retired_on else None) or today()
    ds = await reg.retire_dataset(session, dataset_id, on, claims.sub)
    return (await describe(session, [ds]))[0]
