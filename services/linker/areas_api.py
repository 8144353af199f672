"""HTTP routes of area profiles: the council's geography (uploaded by an admin), demand by
area, group and month, concentration, and their charts as SVG or PNG (docs/outcomes.md)."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from services.common import charts
from services.common.auth import require_roles
from services.common.problems import AUTHENTICATED, Problem, problem_responses
from services.common.sessions import SessionDep
from services.common.tokens import Claims
from services.linker import repository as repo
from services.linker.concentration import concentration
from services.linker.geography import Geography, parse_lookup, parse_population
from services.linker.profiles import months_between, profile, protect_months
from services.linker.schemas import (
    AreaProfile,
    ConcentrationProfile,
    LookupLoaded,
    PopulationLoaded,
)
from services.linker.state import State

router = APIRouter(prefix="/v1/areas", tags=["linker"], responses=AUTHENTICATED)

Analyst = Annotated[Claims, Depends(require_roles("analyst", "coordinator", "admin"))]
Admin = Annotated[Claims, Depends(require_roles("admin"))]
Level = Literal["lsoa", "ward", "locality"]
Month = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                                    description="A calendar month, YYYY-MM.")]
MAX_MONTHS = 36
CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {
    "schema": {"type": "string"}}}}}
IMAGE = {200: {"content": {"image/svg+xml": {"schema": {"type": "string"}},
                           "image/png": {"schema": {"type": "string", "format": "binary"}}}}}
COLOURS = ("#1f6fb2", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#a6761d")


async def _csv(request: Request) -> bytes:
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind not in ("text/csv", "application/csv"):
        raise Problem(415, "Unsupported media type", "Send text/csv with a header row.")
    return await request.body()


async def _geography(session) -> Geography:
    geo = Geography()
    for row in await repo.area_lookup(session):
        geo.ward_of[row.lsoa] = row.ward
        geo.locality_of_ward[row.ward] = row.locality
        if row.lsoa_name:
            geo.names[row.lsoa] = row.lsoa_name
        if row.ward_name:
            geo.names[row.ward] = row.ward_name
    if not geo.ward_of:
        raise Problem(409, "No area lookup", "An admin has not uploaded the postcode lookup "
                      "(PUT /v1/areas/lookup).")
    geo.population = await repo.area_population(session)
    return geo


@router.put("/lookup", name="put_area_lookup", response_model=LookupLoaded,
            openapi_extra=CSV_BODY, responses=problem_responses(415, 422))
async def put_lookup(request: Request, session: SessionDep, claims: Admin) -> LookupLoaded:
    """The council's postcode lookup (ONS Postcode Directory columns: `pcds`, `lsoa21cd`,
    `lsoa21nm`, `wd24cd`, `wd24nm`, and `locality`): each LSOA's ward and locality, which
    replace those held. Postcodes are read only to find each LSOA's ward; none is kept."""
    rows = parse_lookup(await _csv(request))
    await repo.replace_area_lookup(session, rows)
    return LookupLoaded(lsoas=len(rows), wards=len({r["ward"] for r in rows}),
                        localities=len({r["locality"] for r in rows}))


@router.put("/population", name="put_area_population", response_model=PopulationLoaded,
            openapi_extra=CSV_BODY, responses=problem_responses(409, 415, 422))
async def put_population(request: Request, session: SessionDep,
                         claims: Admin) -> PopulationLoaded:
    """Residents per LSOA (columns `lsoa21cd`, `population`): the denominators of rates and
    concentration, which replace those held."""
    body = await _csv(request)
    geo = await _geography(session)
    rows = parse_population(body, set(geo.ward_of))
    await repo.replace_population(session, rows)
    return PopulationLoaded(lsoas=len(rows), residents=sum(r["population"] for r in rows))


async def _profile(state, session, level: str, by: str, first: str | None,
                   last: str | None) -> AreaProfile:
    if level == "lsoa" and by != "none":
        raise Problem(422, "Too fine", "Breakdowns by category or headline problem start at "
                      "wards.", errors=[{"loc": ["query", "by"], "msg": "not with level=lsoa"}])
    geo = await _geography(session)
    start, end = await repo.event_months(session)
    if start is None:
        start = end = date.today()
    first = first or f"{start:%Y-%m}"
    last = last or f"{end:%Y-%m}"
    months = months_between(first, last)
    if not months or len(months) > MAX_MONTHS:
        raise Problem(422, "Bad months", f"from must be at most {MAX_MONTHS} months before to.",
                      errors=[{"loc": ["query", "from"], "msg": "out of range"}])
    y, m = int(last[:4]), int(last[5:])
    events = await repo.events_by_day(session, date(int(first[:4]), int(first[5:]), 1),
                                      date(y, m, calendar.monthrange(y, m)[1]))
    categories = await repo.code_categories(session)
    k = state.settings.suppression_threshold

    def build() -> AreaProfile:
        return profile(protect_months(geo, events, categories, months, k), level, by, months, k)
    # protecting a table per month takes seconds for a large council: off the event loop
    return await run_in_threadpool(build)


@router.get("/profile", name="get_area_profile", response_model=AreaProfile,
            responses=problem_responses(409, 422))
async def area_profile(state: State, session: SessionDep, claims: Analyst,
                       level: Level = "ward",
                       by: Literal["none", "category", "headline"] = "none",
                       first: Annotated[Month, Query(alias="from")] = None,
                       last: Annotated[Month, Query(alias="to")] = None) -> AreaProfile:
    """Events per area (LSOA, ward or locality), by category or headline problem, per month,
    with rates per 1,000 residents; counts that could single anyone out, alone or with any
    other request's, are null (docs/outcomes.md)."""
    return await _profile(state, session, level, by, first, last)


def _image(chart: charts.Chart, kind: str) -> Response:
    if kind == "png":
        return Response(charts.png(chart), media_type="image/png")
    return Response(charts.svg(chart), media_type="image/svg+xml")


@router.get("/profile.{kind}", name="get_area_profile_chart", response_class=Response,
            responses={**IMAGE, **problem_responses(404, 409, 422)})
async def area_profile_chart(kind: str, state: State, session: SessionDep, claims: Analyst,
                             level: Level = "ward",
                             first: Annotated[Month, Query(alias="from")] = None,
                             last: Annotated[Month, Query(alias="to")] = None) -> Response:
    """Areas ranked by events per 1,000 residents over the months, as SVG or PNG."""
    if kind not in ("svg", "png"):
        raise Problem(404, "Not found", "Charts are .svg or .png.")
    p = await _profile(state, session, level, "none", first, last)
    rows = [(a.name or a.area, a.groups[0].per_1000_residents) for a in p.areas]
    title = f"Demand per 1,000 residents by {level}, {p.months[0]} to {p.months[-1]}"
    return _image(charts.ranked_bars(
        title, rows, "events per 1,000 residents (hidden: a month's count could single "
        "someone out)"), kind)


async def _concentration(state, session, level: str) -> ConcentrationProfile:
    geo = await _geography(session)
    persons = await repo.events_per_resident(session)
    return await run_in_threadpool(concentration, geo, persons, level,
                                   state.settings.suppression_threshold)


@router.get("/concentration", name="get_area_concentration",
            response_model=ConcentrationProfile, responses=problem_responses(409))
async def area_concentration(state: State, session: SessionDep, claims: Analyst,
                             level: Level = "locality") -> ConcentrationProfile:
    """How concentrated demand is over all residents ('x% of residents account for y% of
    demand', the Lorenz curve, the Gini coefficient), overall and per area."""
    return await _concentration(state, session, level)


@router.get("/concentration.{kind}", name="get_area_concentration_chart",
            response_class=Response, responses={**IMAGE, **problem_responses(404, 409)})
async def area_concentration_chart(kind: str, state: State, session: SessionDep,
                                   claims: Analyst, level: Level = "locality") -> Response:
    """Lorenz curves, the whole council's and each area's at the level, as SVG or PNG."""
    if kind not in ("svg", "png"):
        raise Problem(404, "Not found", "Charts are .svg or .png.")
    c = await _concentration(state, session, level)
    shown = [c.overall, *[a for a in c.areas if a.lorenz]][:len(COLOURS)]
    series = [(("Whole council" if i == 0 else a.name or a.area)
               + (f" (Gini {a.gini:.2f})" if a.gini is not None else ""), a.lorenz, COLOURS[i])
              for i, a in enumerate(shown)]
    return _image(charts.curves(
        f"Concentration of demand by {level}: Lorenz curves", series,
        "share of residents, least demand first", "share of demand", diagonal=True,
        note="Each step of a curve holds at least k residents with demand."), kind)
