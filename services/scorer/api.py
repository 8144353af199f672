"""HTTP routes: versioned rule sets and threshold calibration (counts, never identities)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request

from services.common.auth import require_roles
from services.common.db import SessionDep
from services.common.problems import Problem
from services.common.tokens import Claims
from services.scorer import repository as repo
from services.scorer.handlers import publish_flags
from services.scorer.schemas import Calibration, RuleDocument, StoredRule
from services.scorer.service import calibrate

router = APIRouter(prefix="/v1", tags=["scorer"])

Reader = Annotated[Claims, Depends(require_roles("coordinator", "analyst", "admin"))]
Admin = Annotated[Claims, Depends(require_roles("admin"))]


async def _rule(session, rule_id: str) -> StoredRule:
    rule = await repo.current_rule(session, rule_id)
    if rule is None:
        raise Problem(404, "Not found", f"no rule set '{rule_id}'")
    return rule


@router.get("/rules", response_model=list[StoredRule])
async def list_rules(session: SessionDep, claims: Reader) -> list[StoredRule]:
    return await repo.current_rules(session)


@router.get("/rules/{rule_id}", response_model=StoredRule)
async def get_rule(rule_id: str, session: SessionDep, claims: Reader) -> StoredRule:
    return await _rule(session, rule_id)


@router.put("/rules/{rule_id}", response_model=StoredRule)
async def put_rule(rule_id: str, document: RuleDocument, request: Request,
                   session: SessionDep, claims: Admin, tasks: BackgroundTasks) -> StoredRule:
    if document.id != rule_id:
        raise Problem(422, "Request is not valid", "field 'id': must equal the rule id in the path")
    await repo.serialize(session)
    previous = await repo.current_rule(session, rule_id)
    version = previous.version + 1 if previous else 1
    await repo.add_rule_version(session, document.model_dump(mode="json"), version, claims.sub)
    rule = StoredRule(**document.model_dump(), version=version)
    state = request.app.state
    changes = await state.scorer.reevaluate(session, rule, previous)
    publish_flags(state.rt, session, changes.flags, state.settings.flags_per_message)
    if state.rt.relay:
        tasks.add_task(state.rt.relay.wake)  # runs after the commit
    return rule


@router.get("/rules/{rule_id}/calibration", response_model=Calibration)
async def calibration(rule_id: str, session: SessionDep, claims: Reader) -> dict:
    rule = await _rule(session, rule_id)
    rows = await repo.calibration_counts(session, rule.id, rule.level, rule.conditions)
    return calibrate(rule, rows)
