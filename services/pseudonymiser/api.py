"""HTTP routes: the clerical review queue (linkage-officer clearance)."""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import require_roles
from services.common.problems import AUTHENTICATED, Problem, problem_responses
from services.common.sessions import SessionDep
from services.common.tokens import Claims
from services.pseudonymiser import geography, review
from services.pseudonymiser import repository as repo
from services.pseudonymiser.learning import Busy
from services.pseudonymiser.models import ReviewPair
from services.pseudonymiser.outgoing import publish
from services.pseudonymiser.probabilistic import frame_from_records
from services.pseudonymiser.probabilistic.model import LinkageModel
from services.pseudonymiser.roles import STANDBY, WRITER_ROUTES
from services.pseudonymiser.schemas import (
    ActiveModel,
    LearningJob,
    LearningStatus,
    PostcodesLoaded,
    ReviewDecision,
    ReviewOutcome,
    ReviewPairOut,
    ReviewRecord,
    TrainRequest,
)
from services.pseudonymiser.service import Outcome
from services.pseudonymiser.state import PseudonymiserState, State

log = logging.getLogger("tessera.pseudonymiser")

router = APIRouter(prefix="/v1", tags=["pseudonymiser"], responses=AUTHENTICATED)

LinkageOfficer = Annotated[Claims, Depends(require_roles("linkage-officer"))]
Admin = Annotated[Claims, Depends(require_roles("admin"))]
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000)]


async def _out(session: AsyncSession, pairs: list[ReviewPair],
               model: LinkageModel) -> list[ReviewPairOut]:
    records = await repo.records_by_token(session, {t for p in pairs
                                                    for t in (p.token_a, p.token_b)})
    held = [(p.token_a, p.token_b) for p in pairs
            if p.token_a in records and p.token_b in records]
    try:
        evidence = await asyncio.to_thread(
            model.evidence, frame_from_records(records.values()), held) if held else {}
    except Exception as exc:  # the queue is still readable without it
        log.warning("review evidence not computed: %s", type(exc).__name__)
        evidence = {}
    out = []
    for p in pairs:
        sides = [ReviewRecord.model_validate(records[t], from_attributes=True)
                 for t in (p.token_a, p.token_b) if t in records]
        out.append(ReviewPairOut(pair_id=p.pair_id, probability=p.probability,
                                 band=model.thresholds.band(p.probability),
                                 evidence=evidence.get((p.token_a, p.token_b), []),
                                 resolution=p.resolution,
                                 model_version=p.model_version, status=p.status,
                                 decided_by=p.decided_by, decided_at=p.decided_at,
                                 created_at=p.created_at, records=sides))
    return out


def standby(state: PseudonymiserState) -> Problem:
    """What a standby answers to a request only the writer serves: it did nothing, so
    the request may be sent again, to the writer named, or through the balancer once it
    routes to the writer."""
    about = state.writer.describe()
    known = about["writer"] is not None and about["writer"]["replica"] != about["replica"]
    return Problem(503, "Service Unavailable",
                   "this replica is a standby; the linkage writer answers this request"
                   if known else "no linkage writer yet: one is being elected",
                   headers={"Retry-After": str(1 if known else
                                               math.ceil(state.settings.lease_ttl_s))},
                   type_="urn:tessera:problem:standby", role=STANDBY,
                   writer=about["writer"] if known else None)


async def only_the_writer(request: Request, state: State) -> None:
    """A standby refuses the writer's routes, wherever they are declared."""
    route = request.scope.get("route")
    if (request.method, getattr(route, "path_format", None)) in WRITER_ROUTES \
            and not state.writer.writing:
        raise standby(state)


def guard(app: FastAPI) -> None:
    """Document the standby's refusal on each of the writer's routes, in the OpenAPI
    document as generated (the check is ``only_the_writer``, on every route); a writer's
    route the app lacks is an error there."""
    generate = app.openapi

    def openapi() -> dict:
        schema = generate()
        for method, path in WRITER_ROUTES:
            operation = schema["paths"].get(path, {}).get(method.lower())
            if operation is None:
                raise RuntimeError(f"no route {method} {path} for the writer")
            operation["responses"].setdefault("503", problem_responses(503)[503])
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


@router.get("/review", name="list_review_pairs", response_model=list[ReviewPairOut])
async def review_queue(claims: LinkageOfficer, session: SessionDep, state: State,
                       status: Literal["pending", "match", "non_match",
                                       "superseded"] | None = "pending",
                       limit: Limit = 50, offset: Offset = 0) -> list[ReviewPairOut]:
    """Pairs scored in the clerical-review band, oldest first, with both records. A pair
    that linkage has since resolved (its records now one person, one of them gone, or
    re-scored below the band by a re-link) leaves the pending queue as `superseded`."""
    return await _out(session, await repo.review_page(session, status, limit, offset),
                      await state.writer.model(session))


@router.get("/review/{pair_id}", name="get_review_pair", response_model=ReviewPairOut,
            responses=problem_responses(404))
async def review_pair(pair_id: str, claims: LinkageOfficer, session: SessionDep,
                      state: State) -> ReviewPairOut:
    """One pair, whatever its status, with both records and the evidence: a pair has an
    address of its own to decide it at."""
    pair = await repo.review_pair(session, pair_id)
    if pair is None:
        raise Problem(404, "Not Found", "no such review pair")
    return (await _out(session, [pair], await state.writer.model(session)))[0]


@router.post("/review/{pair_id}", name="decide_review_pair", response_model=ReviewOutcome,
             responses=problem_responses(404))
async def decide(pair_id: str, body: ReviewDecision, claims: LinkageOfficer,
                 session: SessionDep, state: State) -> ReviewOutcome:
    """Decide a pair. A match merges the two persons, a non-match splits them; the
    decision binds every later linkage and re-link. Deciding again replaces it."""
    pair = await repo.review_pair(session, pair_id)
    if pair is None:
        raise Problem(404, "Not Found", "no such review pair")
    batch = await review.decide(state.service, session, pair, body.decision, claims.sub)
    outcome = Outcome(assignments=batch.assignments if batch else [],
                      changes=batch.changes if batch else [])
    publish(state.rt.outbox, session, outcome)
    return ReviewOutcome(pair=(await _out(session, [pair], state.service.linkage.model))[0],
                         changes=len(outcome.changes),
                         reassigned=len(outcome.assignments))


@router.get("/linkage/model", name="get_linkage_model", response_model=LearningStatus)
async def model_status(claims: LinkageOfficer, session: SessionDep,
                       state: State) -> LearningStatus:
    """The active linkage model, when the service trains next, and the running or last
    training job with its progress."""
    learning = state.learning
    row = await repo.active_model(session)
    job = learning.job
    return LearningStatus(
        active=ActiveModel.model_validate(row, from_attributes=True) if row else None,
        in_use=learning.service.linkage.model.version,
        held_records=await asyncio.to_thread(len, learning.service.linkage.index),
        auto=learning.settings.learn_auto,
        next_training_at=learning.next_training_at(row.trained_on if row else None),
        job=LearningJob.model_validate(job.public()) if job else None)


@router.post("/linkage/model/train", name="train_linkage_model", status_code=202, response_model=LearningJob,
             responses=problem_responses(409))
async def train_model(claims: LinkageOfficer, state: State,
                      body: TrainRequest | None = None) -> LearningJob:
    """Train a model on the held records now, check it, and use it and re-link if it
    passes (with `force`, even if not). Linkage goes on meanwhile; follow it with
    GET /v1/linkage/model."""
    try:
        job = state.learning.start(
            "requested by a linkage officer", force=bool(body and body.force),
            requested_by=claims.sub)
    except Busy:
        raise Problem(409, "Conflict", "a training job is running") from None
    return LearningJob.model_validate(job.public())


@router.put("/geography/postcodes", name="put_postcode_lookup", response_model=PostcodesLoaded,
            openapi_extra={"requestBody": {"required": True, "content": {
                "text/csv": {"schema": {"type": "string"}}}}},
            responses=problem_responses(415, 422))
async def put_postcodes(request: Request, claims: Admin, session: SessionDep,
                        state: State) -> PostcodesLoaded:
    """The council's postcode lookup (ONS Postcode Directory columns `pcds` and
    `lsoa21cd`; others ignored): each household takes its postcode's LSOA, and the records
    of households whose LSOA changed are assigned again with it."""
    if request.headers.get("content-type", "").split(";")[0].strip() not in (
            "text/csv", "application/csv"):
        raise Problem(415, "Unsupported media type", "Send text/csv with a header row.")
    rows = geography.parse(await request.body())
    await session.connection()  # begins the transaction the linkage lock is held in
    await state.service.lock.hold(session)
    moved, assignments = await geography.load(session, rows)
    publish(state.rt.outbox, session, Outcome(assignments=assignments))
    return PostcodesLoaded(postcodes=len(rows), households_moved=moved,
                           reassigned=len(assignments))
