"""Requests from the gateway and resolutions from the pseudonymiser pair up in either order."""

from __future__ import annotations

from sqlalchemy import select

from services.common.state import state_of
from services.consent.models import ConsentRequestRow, Decision
from tests.consent.conftest import request
from tests.support import eventually


async def stored(env, record_token: str):
    async def check():
        async with state_of(env.app).sessionmaker() as s:
            return (await s.execute(select(ConsentRequestRow).where(
                ConsentRequestRow.record_token == record_token))).scalar_one_or_none()

    return await eventually(check)


async def test_request_then_resolution_publishes_one_decision(env):
    await env.publish_requests("batch-1", request("rt-1"), request("rt-other"))
    row = await stored(env, "rt-1")
    assert row.resolved is False
    progress = await env.progress_of("batch-1")
    assert [(p.chunk, p.service, p.processed) for p in progress] == [(0, "consent", 2)]
    assert [d for d in env.decisions if d.person == "person-1"] == []

    await env.publish_resolved("rt-1", "person-1", "household-1")
    [decision] = await env.settle("person-1", 1)
    assert (decision.status, decision.scope, decision.household, decision.effective) == (
        "opt_out", "all", "household-1", True)
    assert decision.decision_id == row.decision_id


async def test_resolution_then_request_publishes_one_decision(env):
    await env.publish_resolved("rt-2", "person-2", "household-2")
    await env.publish_resolved("rt-2b", "person-2b")

    async def resolved():
        from services.consent.models import Resolution
        async with state_of(env.app).sessionmaker() as s:
            return await s.get(Resolution, "rt-2")

    await eventually(resolved)
    await env.publish_requests("batch-2", request("rt-2", scope="purpose:early-help-triage"))
    [decision] = await env.settle("person-2", 1)
    assert (decision.status, decision.scope, decision.effective) == (
        "opt_out", "purpose:early-help-triage", True)
    assert [d for d in env.decisions if d.person == "person-2b"] == []


async def test_repeated_chunk_is_applied_once(env):
    await env.publish_resolved("rt-3", "person-3")
    await env.publish_requests("batch-3", request("rt-3"))
    await env.settle("person-3", 1)
    # the same chunk again under another message id (a gateway retry): no new decision
    await env.publish_requests("batch-3", request("rt-3"))
    await env.publish_requests("batch-3b", request("rt-3b"))
    await stored(env, "rt-3b")
    await env.settle("person-3", 1)
    assert len([p for p in await env.progress_of("batch-3")]) == 1


async def test_redelivered_resolution_decides_once(env):
    await env.publish_requests("batch-4", request("rt-4"), request("rt-4", status="consent"))
    await stored_count(env, "rt-4", 2)
    await env.publish_resolved("rt-4", "person-4")
    await env.publish_resolved("rt-4", "person-4")
    found = await env.settle("person-4", 2)
    # both items have the same decided_on: the later item wins
    assert [(d.status, d.effective) for d in found] == [("opt_out", False), ("consent", True)]


async def stored_count(env, record_token: str, n: int):
    async def check():
        async with state_of(env.app).sessionmaker() as s:
            rows = (await s.execute(select(ConsentRequestRow).where(
                ConsentRequestRow.record_token == record_token))).scalars().all()
            return len(rows) == n

    await eventually(check)


async def test_decisions_from_an_optout_list_carry_its_agreement(env):
    await env.publish_requests("batch-agr", request("rt-agr"), agreement="isa-test-1")
    row = await stored(env, "rt-agr")
    assert row.agreement == "isa-test-1"
    await env.publish_resolved("rt-agr", "person-agr")
    [decision] = await env.settle("person-agr", 1)
    async with state_of(env.app).sessionmaker() as session:
        stored_decision = await session.scalar(
            select(Decision).where(Decision.decision_id == decision.decision_id))
    assert stored_decision.agreement == "isa-test-1"
