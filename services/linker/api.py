"""HTTP routes: neighbourhood demand with small numbers suppressed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.common.auth import require_roles
from services.common.problems import AUTHENTICATED
from services.common.sessions import SessionDep
from services.common.tokens import Claims
from services.linker import repository as repo
from services.linker.schemas import AreaDemand, Concentration, DemandReport
from services.linker.service import top_share
from services.linker.state import State

router = APIRouter(prefix="/v1", tags=["linker"], responses=AUTHENTICATED)

Analyst = Annotated[Claims, Depends(require_roles("analyst", "coordinator", "admin"))]


def suppress(value: int, threshold: int) -> int | None:
    return None if 0 < value < threshold else value


@router.get("/areas/demand", response_model=DemandReport)
async def area_demand(state: State, session: SessionDep, claims: Analyst) -> DemandReport:
    threshold = state.settings.suppression_threshold
    areas = []
    for area, dataset, events, persons in await repo.demand_by_area(session):
        shown_events, shown_persons = suppress(events, threshold), suppress(persons, threshold)
        areas.append(AreaDemand(
            area=area, dataset=dataset, events=shown_events, persons=shown_persons,
            suppressed=shown_events is None or shown_persons is None))
    counts = await repo.events_per_person(session)
    small = len(counts) < threshold
    concentration = Concentration(
        persons=suppress(len(counts), threshold),
        events=suppress(sum(counts), threshold),
        top_1_percent=None if small else top_share(counts, 0.01),
        top_5_percent=None if small else top_share(counts, 0.05),
        top_10_percent=None if small else top_share(counts, 0.10),
        suppressed=small,
    )
    return DemandReport(threshold=threshold, areas=areas, concentration=concentration)
