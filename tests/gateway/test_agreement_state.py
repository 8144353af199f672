"""The gateway answers a slice reconciling its agreements at start-up: every agreement's
latest revision, paged in id order, each exactly as it was announced (its last entry in
the agreement's revision history)."""

from __future__ import annotations

from datetime import date, timedelta

from services.common import messages as m
from services.common import subjects
from tests.gateway.conftest import running_gateway
from tests.support import close


async def test_every_agreements_latest_revision_paged_as_announced(nats_env, tmp_path):
    async with running_gateway(nats_env, tmp_path) as env:
        asker = await nats_env.bus("linker")  # a slice that keeps agreements
        try:
            async def ask(limit: int) -> tuple[list[m.AgreementNotice], int]:
                found: list[m.AgreementNotice] = []
                after, pages = "", 0
                while True:
                    page = await asker.request(
                        subjects.AGREEMENT_STATE, m.AgreementsQuery(after=after, limit=limit),
                        timeout=5)
                    pages += 1
                    found += page.agreements
                    if len(page.agreements) < limit:
                        return found, pages
                    after = page.agreements[-1].agreement

            token = nats_env.token("gateway", subject="admin-1", roles=["admin"],
                                   org="council")
            headers = {"Authorization": f"Bearer {token}"}
            for name in ("isa-b-research", "isa-a-triage"):  # beside the seeded one
                r = await env.client.post("/v1/agreements", headers=headers, json={
                    "id": name, "partner": None, "datasets": [],
                    "legal_basis": "Children Act 2004 s10", "purposes": ["early-help-triage"],
                    "retention": "P1Y",
                    "valid_from": (date.today() - timedelta(days=1)).isoformat()})
                assert r.status_code == 201, r.text
            r = await env.client.post("/v1/agreements/isa-a-triage/end", headers=headers)
            assert r.status_code == 200, r.text  # its latest revision is its ending
            r = await env.client.get("/v1/agreements", headers=headers)
            assert r.status_code == 200, r.text
            listed = {a["id"]: a["revision"] for a in r.json()}
            assert len(listed) == 3 and listed["isa-a-triage"] == 2

            answered, pages = await ask(2)
            assert [n.agreement for n in answered] == sorted(listed)
            assert pages == 2
            assert {n.agreement: n.revision for n in answered} == listed
            assert answered[0].ended_on == date.today()
            for notice in answered:
                r = await env.client.get(f"/v1/agreements/{notice.agreement}/revisions",
                                         headers=headers)
                assert r.status_code == 200, r.text
                assert r.json()[-1]["terms"] == notice.model_dump(mode="json")
            assert [n.agreement for n in (await ask(100))[0]] == sorted(listed)
        finally:
            await close(asker)
