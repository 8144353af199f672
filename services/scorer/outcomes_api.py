"""HTTP routes of cohorts, outcomes and the family's journey (docs/outcomes.md): claims
counts (never pseudonyms), the co-ordinator's view and moves (pseudonyms, never codes),
and the keyworker's indicator history (codes, for the family allocated to them only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from starlette.concurrency import run_in_threadpool

from services.common.auth import require_roles
from services.common.problems import AUTHENTICATED, Problem, problem_responses
from services.common.sessions import SessionDep
from services.common.tokens import Claims
from services.scorer import claims as reports
from services.scorer import journey
from services.scorer import repository as repo
from services.scorer.cohorts import last_ended_month
from services.scorer.rules import StoredRule
from services.scorer.schemas import (
    Allocation,
    ClaimsReport,
    Family,
    History,
    JourneyOverview,
    Measured,
    MeasureRequest,
    StateChange,
)
from services.scorer.state import State

router = APIRouter(prefix="/v1/outcomes", tags=["outcomes"], responses=AUTHENTICATED)

Reader = Annotated[Claims, Depends(require_roles("coordinator", "analyst", "admin"))]
Admin = Annotated[Claims, Depends(require_roles("admin"))]
Coordinator = Annotated[Claims, Depends(require_roles("coordinator"))]
Keyworker = Annotated[Claims, Depends(require_roles("caseworker"))]
Either = Annotated[Claims, Depends(require_roles("coordinator", "caseworker"))]


async def _rule(session, rule_id: str) -> StoredRule:
    rule = await repo.current_rule(session, rule_id)
    if rule is None or rule.outcomes is None:
        raise Problem(404, "Not found", f"no rule set '{rule_id}' with outcome measures")
    return rule


def _refused(exc: journey.Refused) -> Problem:
    titles = {403: "Forbidden", 404: "Not found", 409: "Conflict",
              422: "Request is not valid"}
    return Problem(exc.status, titles.get(exc.status, "Refused"), exc.detail)


@router.post("/measure", name="measure_outcomes", response_model=Measured,
             responses=problem_responses(422))
async def measure(body: MeasureRequest, state: State, claims: Admin) -> Measured:
    """Measure every cohort member at each month end through `through` it has not been
    measured at (role `admin`); the same as the periodic task, at once."""
    latest = last_ended_month(state.cohorts.clock())
    through = body.through or latest
    if through > latest:
        raise Problem(422, "Request is not valid",
                      f"field 'through': a month is measured once it has ended (latest "
                      f"{latest})")
    return Measured(through=through, members=await state.measure(through))


async def _report(rule_id: str, state, session) -> dict:
    rule = await _rule(session, rule_id)
    members = await repo.members_of_rule(session, rule.id)
    met = await repo.met_of_rule(session, rule.id)
    # protecting hundreds of counts takes up to seconds: off the event loop
    return await run_in_threadpool(reports.report, rule, members, met,
                                   state.settings.suppression_threshold)


@router.get("/{rule_id}/claims", name="get_claims", response_model=ClaimsReport,
            responses=problem_responses(404))
async def claims_json(rule_id: str, state: State, session: SessionDep,
                      claims: Reader) -> dict:
    """Counts per cohort month, headline problem and outcome measure (families, measured on
    it, met, claimed) for payment-by-results claims; never a pseudonym, and counts that
    could single a family out are null (docs/outcomes.md)."""
    return await _report(rule_id, state, session)


@router.get("/{rule_id}/claims.csv", name="export_claims", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "The claim rows"},
                       **problem_responses(404)})
async def claims_csv(rule_id: str, state: State, session: SessionDep,
                     claims: Reader) -> Response:
    """The same counts as a spreadsheet opens them (a hidden count is an empty cell)."""
    report = await _report(rule_id, state, session)
    return Response(reports.csv_rows(report["rows"]), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="claims-{report["rule_id"]}.csv"'})


@router.get("/{rule_id}/journey", name="get_journey", response_model=JourneyOverview,
            responses=problem_responses(404))
async def overview(rule_id: str, state: State, session: SessionDep, claims: Coordinator,
                   limit: Annotated[int, Query(ge=1, le=500)] = 20) -> dict:
    """The co-ordinator's view of a cohort (their districts, where the token names any):
    families per state, the measures claimed most and least, the families closest to a
    claim and the most complex."""
    rule = await _rule(session, rule_id)
    return await journey.overview(session, claims, rule, state.scorer.today(), limit)


@router.get("/{rule_id}/families/{pseudonym}", name="get_family", response_model=Family,
            responses=problem_responses(404))
async def family(rule_id: str, pseudonym: str, state: State, session: SessionDep,
                 claims: Either) -> dict:
    """A family's journey (its co-ordinator or its keyworker): state, keyworker, each change
    with who and when, the measures met and when the next could be; no codes."""
    rule = await _rule(session, rule_id)
    try:
        return await journey.view(session, claims, rule, pseudonym, state.scorer.today())
    except journey.Refused as exc:
        raise _refused(exc) from None


@router.post("/{rule_id}/families/{pseudonym}/state", name="change_family_state",
             response_model=Family, responses=problem_responses(403, 404, 409, 422))
async def change_state(rule_id: str, pseudonym: str, body: StateChange, state: State,
                       session: SessionDep, claims: Either) -> dict:
    """Move a family on, as the state's owner: the co-ordinator attaches a keyworker (their
    token subject), claims and closes; the co-ordinator or the family's keyworker marks it
    in progress or claim pending. Recorded with who and when."""
    rule = await _rule(session, rule_id)
    try:
        member = await journey.move(session, claims, rule.id, pseudonym, body.state,
                                    body.keyworker)
    except journey.Refused as exc:
        raise _refused(exc) from None
    return await journey.describe(session, rule, member, state.scorer.today())


@router.get("/{rule_id}/families/{pseudonym}/history", name="get_family_history",
            response_model=History, responses=problem_responses(404))
async def history(rule_id: str, pseudonym: str, session: SessionDep,
                  claims: Keyworker) -> dict:
    """The family's indicator history (which codes, when), its baseline and monthly
    measurements: for the keyworker it is attached to, and nobody else."""
    await _rule(session, rule_id)
    try:
        return await journey.history(session, claims, rule_id, pseudonym)
    except journey.Refused as exc:
        raise _refused(exc) from None


@router.get("/mine", name="list_my_families", response_model=list[Allocation])
async def mine(session: SessionDep, claims: Keyworker,
               limit: Annotated[int, Query(ge=1, le=500)] = 100,
               offset: Annotated[int, Query(ge=0)] = 0) -> list[dict]:
    """The families allocated to the calling keyworker (not closed), a page at a time by
    rule and pseudonym."""
    return await journey.allocations(session, claims, limit, offset)
