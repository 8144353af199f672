"""HTTP routes: neighbourhood demand under the disclosure rule."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from services.common.auth import require_roles
from services.common.problems import AUTHENTICATED
from services.common.sessions import SessionDep
from services.common.tokens import Claims
from services.linker import repository as repo
from services.linker.demand import demand_report
from services.linker.schemas import DemandReport
from services.linker.state import State

router = APIRouter(prefix="/v1", tags=["linker"], responses=AUTHENTICATED)

Analyst = Annotated[Claims, Depends(require_roles("analyst", "coordinator", "admin"))]


@router.get("/areas/demand", name="get_area_demand", response_model=DemandReport)
async def area_demand(state: State, session: SessionDep, claims: Analyst) -> DemandReport:
    """Events and distinct persons per area and dataset, and how concentrated demand is;
    counts that could single anyone out are null (docs/disclosure.md)."""
    events = await repo.events_by_cell(session)
    persons = await repo.persons_by_cells(session)
    per_person = await repo.events_per_person(session)
    # protecting hundreds of counts takes up to seconds: off the event loop
    return await run_in_threadpool(demand_report, events, persons, per_person,
                                   state.settings.suppression_threshold)
