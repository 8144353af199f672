"""HTTP routes: versioned rule sets (JSON or YAML documents), calibration as JSON and SVG,
and the full re-score command. Counts only, never identities."""

from __future__ import annotations

import json
from typing import Annotated, Literal

import yaml
from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from services.common import charts, openapi
from services.common.auth import require_roles
from services.common.problems import AUTHENTICATED, Problem, describe_errors, problem_responses
from services.common.sessions import SessionDep
from services.common.tokens import Claims
from services.scorer import repository as repo
from services.scorer.calibration import calibrate, chart
from services.scorer.outgoing import publish_flags, request_republish, request_rescore
from services.scorer.rules import needs_rescore
from services.scorer.schemas import (
    Calibration,
    JsonSchema,
    Rescore,
    RescoreStatus,
    RuleDocument,
    StoredRule,
)
from services.scorer.state import State

router = APIRouter(prefix="/v1", tags=["scorer"], responses=AUTHENTICATED)

Reader = Annotated[Claims, Depends(require_roles("coordinator", "analyst", "admin"))]
Admin = Annotated[Claims, Depends(require_roles("admin"))]

RULE_BODY = openapi.body(json=RuleDocument, text={
    "application/yaml": "The same document as YAML (the form the built-in rules are kept in)"})


async def _rule(session, rule_id: str) -> StoredRule:
    rule = await repo.current_rule(session, rule_id)
    if rule is None:
        raise Problem(404, "Not found", f"no rule set '{rule_id}'")
    return rule


async def parse_document(request: Request) -> RuleDocument:
    """A rule document from a JSON or YAML body, validated against the schema."""
    body = await request.body()
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip()
    try:
        data = yaml.safe_load(body) if "yaml" in kind else json.loads(body or b"null")
    except (ValueError, yaml.YAMLError):
        raise Problem(400, "Bad request", f"the body is not valid {kind}") from None
    except RecursionError:  # the parsers recurse once per level of nesting
        raise Problem(400, "Bad request", "the body is nested too deeply") from None
    try:
        return RuleDocument.model_validate(data)
    except ValidationError as exc:
        errors = describe_errors(exc.errors())
        where = ".".join(str(p) for p in errors[0]["loc"]) or "document"
        raise Problem(422, "Request is not valid", f"field '{where}': {errors[0]['msg']}",
                      errors=errors) from None


@router.get("/rules", name="list_rules", response_model=list[StoredRule])
async def list_rules(session: SessionDep, claims: Reader) -> list[StoredRule]:
    """Every rule set in its current version."""
    return await repo.current_rules(session)


@router.get("/rules/schema", name="get_rule_schema")
async def rule_schema(claims: Reader) -> JsonSchema:
    """The JSON Schema every rule document is validated against."""
    return JsonSchema(RuleDocument.model_json_schema())


@router.get("/rules/{rule_id}", name="get_rule", response_model=StoredRule, responses=problem_responses(404))
async def get_rule(rule_id: str, session: SessionDep, claims: Reader) -> StoredRule:
    """One rule set in its current version."""
    return await _rule(session, rule_id)


@router.put("/rules/{rule_id}", name="put_rule", response_model=StoredRule, openapi_extra=RULE_BODY,
            responses=problem_responses(404, 415))
async def put_rule(rule_id: str, request: Request, state: State, session: SessionDep,
                   claims: Admin, tasks: BackgroundTasks, response: Response) -> StoredRule:
    """Store a new version of a rule set (role `admin`) from a JSON or YAML document; flags are
    re-evaluated at once, and a change of window, level or codes starts a re-score (header
    `X-Tessera-Rescore`)."""
    document = await parse_document(request)
    if document.id != rule_id:
        raise Problem(422, "Request is not valid", "field 'id': must equal the rule id in the path")
    await repo.serialize(session)
    previous = await repo.current_rule(session, rule_id)
    version = previous.version + 1 if previous else 1
    await repo.add_rule_version(session, document.model_dump(mode="json"), version, claims.sub)
    rule = StoredRule(**document.model_dump(), version=version)
    changes = await state.scorer.reevaluate(session, rule, previous)
    publish_flags(state.rt, session, changes.flags, state.settings.flags_per_message)
    if needs_rescore(rule, previous):
        # Stored counts were made with another window, level or code selection: every
        # profile of the level is read again and the affected flags recomputed.
        request_republish(state.rt, session, levels=[rule.level])
        response.headers["X-Tessera-Rescore"] = rule.level
    if state.rt.relay:
        tasks.add_task(state.rt.relay.wake)  # runs after the commit
    return rule


@router.get("/rules/{rule_id}/calibration", name="get_calibration", response_model=Calibration,
            responses=problem_responses(404))
async def calibration(rule_id: str, state: State, session: SessionDep, claims: Reader) -> dict:
    """How many each threshold would select, overall and per area, for choosing one; counts
    that could single anyone out are null (docs/disclosure.md)."""
    rule = await _rule(session, rule_id)
    rows = await repo.calibration_rows(session, rule.id, rule.level)
    # protecting hundreds of counts takes up to seconds: off the event loop
    return await run_in_threadpool(calibrate, rule, rows, state.settings.suppression_threshold)


@router.get("/rules/{rule_id}/calibration.{kind}", name="get_calibration_chart",
            response_class=Response,
            responses={200: {"content": {
                "image/svg+xml": {"schema": {"type": "string"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}}}},
                **problem_responses(404)})
async def calibration_chart(rule_id: str, kind: Literal["svg", "png"], state: State,
                            session: SessionDep, claims: Reader) -> Response:
    """The calibration as a chart, SVG or PNG: how many each threshold would select, and
    the rule's selection per area, hidden counts marked."""
    rule = await _rule(session, rule_id)
    rows = await repo.calibration_rows(session, rule.id, rule.level)
    drawn = chart(await run_in_threadpool(calibrate, rule, rows,
                                          state.settings.suppression_threshold))
    if kind == "png":
        return Response(charts.png(drawn), media_type="image/png")
    return Response(charts.svg(drawn), media_type="image/svg+xml")


@router.post("/rescore", name="start_rescore", response_model=Rescore, status_code=202)
async def rescore(state: State, session: SessionDep, claims: Admin,
                  tasks: BackgroundTasks) -> Rescore:
    """A full (bulk) re-score: the linker exports every profile in columnar chunks and each
    rule re-evaluates them; follow it with GET /v1/rescore/{request_id}."""
    levels = ["person", "household"]
    request_id = await request_rescore(state.rt, session, levels)
    if state.rt.relay:
        tasks.add_task(state.rt.relay.wake)
    return Rescore(request_id=request_id, levels=levels)


@router.get("/rescore/{request_id}", name="get_rescore_status", response_model=RescoreStatus,
            responses=problem_responses(404))
async def rescore_status(request_id: str, session: SessionDep, claims: Admin) -> RescoreStatus:
    """Progress of a full re-score: profiles read and flag changes so far (counts only)."""
    row = await repo.get_rescore(session, request_id)
    if row is None:
        raise Problem(404, "Not found", "no such re-score")
    applied = await repo.chunks_applied(session, request_id)
    return RescoreStatus(request_id=row.request_id, levels=row.levels.split(),
                         requested_at=row.requested_at, finished_at=row.finished_at,
                         profiles=row.profiles, flag_changes=row.flags,
                         chunks={level: n for level, (n, _) in applied.items()})
