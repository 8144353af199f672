"""The generated SDK (clients/python) against the federation as real processes: every
error it is answered with, from 400 to 429, reaches the caller as a parsed ProblemDetail
(a generator that saw the problem schema inlined dropped 403s and 404s as unparsed)."""

from __future__ import annotations

from datetime import date

import pytest_asyncio
from tessera_client.gateway import AuthenticatedClient as GatewayClient
from tessera_client.gateway.api.gateway import (
    get_batch_status,
    list_batches,
    upload_events,
    upload_identities,
)
from tessera_client.gateway.models import BatchReceipt, EventUpload, IdentityRow, IdentityUpload
from tessera_client.gateway.models import ProblemDetail as GatewayProblem
from tessera_client.gateway.types import File
from tessera_client.reidentify import AuthenticatedClient as ReidentifyClient
from tessera_client.reidentify.api.reidentify import unlock
from tessera_client.reidentify.models import ProblemDetail as ReidentifyProblem
from tessera_client.reidentify.models import UnlockBody
from tessera_client.scorer import AuthenticatedClient as ScorerClient
from tessera_client.scorer.api.scorer import put_rule
from tessera_client.scorer.models import ProblemDetail as ScorerProblem
from tessera_client.scorer.types import File as ScorerFile

from tests.e2e.conftest import federation

PARTNER = "gp-p81001"
DATASET = "gp-p81001"
PROBLEM = "application/problem+json"
CASEWORKER = {"roles": ["caseworker"], "districts": ["OL1"],
              "purposes": ["early-help-triage"], "org": "oldham-early-help"}


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def running(tmp_path_factory):
    # one unlock an hour: the second attempt is refused with 429
    async with federation(tmp_path_factory.mktemp("sdk"), unlock_rate=1) as run:
        yield run


def gateway(running, **claims) -> GatewayClient:
    return GatewayClient(base_url=running.url("gateway"),
                         token=running.token("gateway", **claims))


def partner(running) -> GatewayClient:
    return gateway(running, partner=PARTNER, scope=["ingest"])


def problem(response, status: int, model: type) -> object:
    """The response as the SDK hands it over: its parsed ProblemDetail."""
    assert response.status_code == status, response.content
    assert response.headers["content-type"].startswith(PROBLEM)
    assert isinstance(response.parsed, model), response.parsed
    assert response.parsed.status == status and response.parsed.title
    return response.parsed


def identities(*local_ids: str) -> IdentityUpload:
    return IdentityUpload(records=[
        IdentityRow(local_id=i, given_name="Alex", family_name="Example",
                    date_of_birth=date(2014, 3, 2)) for i in local_ids])


async def test_a_json_upload_is_answered_with_a_parsed_receipt(running):
    async with partner(running) as client:
        answer = await upload_identities.asyncio_detailed(
            DATASET, client=client, body=identities("sdk-1", "sdk-2"))
    assert answer.status_code == 202, answer.content
    assert isinstance(answer.parsed, BatchReceipt)
    assert (answer.parsed.accepted, answer.parsed.rejected) == (2, [])


async def test_a_csv_upload_goes_through_the_same_call(running):
    csv = b"local_id,code,occurred_on\nsdk-1,GP1,2026-01-15\nsdk-2,,2026-01-15\n"
    async with partner(running) as client:
        answer = await upload_events.asyncio_detailed(
            DATASET, client=client, body=File(payload=csv, mime_type="text/csv"))
    assert answer.status_code == 202, answer.content
    assert answer.parsed.accepted == 1
    assert [(r.row, [e.field for e in r.errors]) for r in answer.parsed.rejected] == [
        (1, ["code"])]


async def test_400_a_rule_document_that_is_not_yaml(running):
    client = ScorerClient(base_url=running.url("scorer"),
                          token=running.token("scorer", roles=["admin"]))
    async with client:
        answer = await put_rule.asyncio_detailed(
            "sdk-rule", client=client,
            # each service's package has its own File: the scorer's is sent as YAML
            body=ScorerFile(payload=b"id: [unclosed", mime_type="application/yaml"))
    assert "not valid application/yaml" in problem(answer, 400, ScorerProblem).detail


async def test_401_a_token_that_is_not_one(running):
    client = GatewayClient(base_url=running.url("gateway"), token="not-a-token")
    async with client:
        answer = await list_batches.asyncio_detailed(client=client)
    problem(answer, 401, GatewayProblem)


async def test_403_a_partner_token_without_the_ingest_scope(running):
    async with gateway(running, partner=PARTNER, scope=[]) as client:
        answer = await upload_identities.asyncio_detailed(
            DATASET, client=client, body=identities("sdk-3"))
    assert "ingest" in problem(answer, 403, GatewayProblem).detail


async def test_404_a_batch_that_does_not_exist(running):
    async with partner(running) as client:
        answer = await get_batch_status.asyncio_detailed("no-such-batch", client=client)
    problem(answer, 404, GatewayProblem)


async def test_409_an_idempotency_key_sent_again_with_another_body(running):
    async with partner(running) as client:
        first = await upload_identities.asyncio_detailed(
            DATASET, client=client, body=identities("sdk-4"), idempotency_key="sdk-409")
        again = await upload_identities.asyncio_detailed(
            DATASET, client=client, body=identities("sdk-5"), idempotency_key="sdk-409")
    assert first.status_code == 202
    assert "Idempotency-Key" in problem(again, 409, GatewayProblem).detail


async def test_413_more_rows_than_a_request_may_carry(running):
    rows = b"".join(b"r%d,Alex,Example,2014-03-02\n" % i for i in range(50_001))
    body = File(payload=b"local_id,given_name,family_name,date_of_birth\n" + rows,
                mime_type="text/csv")
    async with partner(running) as client:
        answer = await upload_identities.asyncio_detailed(DATASET, client=client, body=body)
    assert "at most 50000 rows" in problem(answer, 413, GatewayProblem).detail


async def test_422_an_upload_with_no_rows(running):
    async with partner(running) as client:
        answer = await upload_events.asyncio_detailed(
            DATASET, client=client, body=EventUpload(events=[]))
    assert "'events' is empty" in problem(answer, 422, GatewayProblem).detail


async def test_429_an_unlock_past_the_hourly_limit(running):
    client = ReidentifyClient(base_url=running.url("reidentify"),
                              token=running.token("reidentify", **CASEWORKER))
    body = UnlockBody(pseudonym="p-not-flagged", purpose="early-help-triage",
                      justification="Checking the SDK reports a refused unlock.")
    async with client:
        first = await unlock.asyncio_detailed(client=client, body=body)
        second = await unlock.asyncio_detailed(client=client, body=body)
    # each attempt is in the access log, and the problem names its entry
    logged = problem(first, 403, ReidentifyProblem)["access_id"]
    assert problem(second, 429, ReidentifyProblem)["access_id"] > logged
