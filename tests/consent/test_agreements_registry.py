"""The agreements registry on the gateway: admin API, announcements, no agreement no ingest."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest_asyncio

from gateway.app import create_app
from gateway.settings import GatewaySettings
from services.common import bus, messages, subjects
from services.common.db import run_migrations

REPO = Path(__file__).resolve().parents[2]
MIGRATIONS = REPO / "gateway" / "migrations"
REGISTRY = REPO / "deploy" / "config" / "registry.yaml"
SEEDED = "isa-oldham-early-help-2026"


class Gw:
    def __init__(self, nats_env, client, sub):
        self.nats_env, self.client, self.sub = nats_env, client, sub
        self.notices: list[messages.AgreementNotice] = []

    def admin(self, *roles: str) -> dict:
        token = self.nats_env.token("gateway", subject="dpo-1", roles=list(roles or ["admin"]),
                                    org="council")
        return {"Authorization": f"Bearer {token}"}

    def partner(self, partner: str) -> dict:
        token = self.nats_env.token("gateway", subject=f"svc-{partner}", partner=partner,
                                    scope=["ingest"])
        return {"Authorization": f"Bearer {token}"}

    async def drain(self) -> list[messages.AgreementNotice]:
        while True:
            try:
                msgs = await self.sub.fetch(50, timeout=0.3)
            except TimeoutError:
                return self.notices
            for msg in msgs:
                self.notices.append(bus.decode(subjects.AGREEMENTS, msg.data))
                await msg.ack()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def gw(nats_env, tmp_path_factory):
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('gw') / 'gateway.db'}"
    run_migrations(MIGRATIONS, url)
    settings = GatewaySettings(**nats_env.settings_kwargs("gateway", url),
                               hmac_key_path=nats_env.layout.key("gateway-hmac"),
                               registry_path=REGISTRY)
    app = create_app(settings)
    nc = await nats_env.connect("linker")
    sub = await nc.jetstream().pull_subscribe_bind(durable="linker",
                                                   stream=subjects.AGREEMENTS.stream)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://test") as client:
            yield Gw(nats_env, client, sub)
    await nc.close()


def body(**over) -> dict:
    doc = {"partner": "gp-p81001", "datasets": ["gp-p81001"],
           "legal_basis": "Health and Social Care Act 2012 s251B",
           "purposes": ["early-help-triage"], "retention": "P1Y",
           "valid_from": (date.today() - timedelta(days=1)).isoformat()}
    doc.update(over)
    return doc


EVENT = {"events": [{"local_id": "A1", "code": "GP1", "occurred_on": "2026-01-05"}]}


async def test_seeded_agreement_is_announced_and_listed(gw):
    notices = await gw.drain()
    seeded = [n for n in notices if n.agreement == SEEDED]
    assert seeded and seeded[0].retention == "P2Y"
    assert seeded[0].purposes == ["early-help-triage"]
    r = await gw.client.get("/v1/agreements", headers=gw.admin("auditor"))
    assert r.status_code == 200
    [row] = [a for a in r.json() if a["id"] == SEEDED]
    assert row["in_force"] and "gp-p81001" in row["datasets"]
    assert row["legal_basis"].startswith("Children Act 2004")


async def test_roles(gw):
    assert (await gw.client.get("/v1/agreements", headers=gw.admin("caseworker"))
            ).status_code == 403
    r = await gw.client.post("/v1/agreements", json={**body(), "id": "x"},
                             headers=gw.admin("auditor"))
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    assert (await gw.client.get("/v1/agreements")).status_code == 401
    # a partner's ingest token is no clearance
    assert (await gw.client.get("/v1/agreements", headers=gw.partner("gp-p81001"))
            ).status_code == 403


async def test_bad_bodies(gw):
    for bad in (body(retention="two years"), body(purposes=[]), body(datasets=["nope"]),
                body(partner="schools-la"), body(valid_to="2000-01-01"),
                {**body(), "extra": 1}):
        r = await gw.client.post("/v1/agreements", json={**bad, "id": "isa-bad"},
                                 headers=gw.admin())
        assert r.status_code == 422, (bad, r.text)
    assert (await gw.client.get("/v1/agreements/isa-bad", headers=gw.admin())
            ).status_code == 404


async def test_create_replace_end_and_ingest(gw):
    await gw.drain()
    r = await gw.client.post("/v1/agreements", json={**body(), "id": "isa-gp-s251b"},
                             headers=gw.admin())
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["datasets"] == ["gp-p81001"] and out["revision"] == 1 and out["in_force"]
    assert (await gw.client.post("/v1/agreements", json={**body(), "id": "isa-gp-s251b"},
                                 headers=gw.admin())).status_code == 409
    # the dataset moved: the seeded agreement no longer covers it (both announced)
    notices = await gw.drain()
    changed = {n.agreement: n for n in notices}
    assert changed["isa-gp-s251b"].datasets == ["gp-p81001"]
    assert "gp-p81001" not in changed[SEEDED].datasets

    r = await gw.client.post("/v1/datasets/gp-p81001/events", json=EVENT,
                             headers=gw.partner("gp-p81001"))
    assert r.status_code == 202, r.text

    r = await gw.client.put("/v1/agreements/isa-gp-s251b",
                            json=body(purposes=["early-help-triage", "research"],
                                      retention="P6M"), headers=gw.admin())
    assert r.status_code == 200 and r.json()["revision"] == 2
    [n] = [n for n in await gw.drain() if n.agreement == "isa-gp-s251b" and n.revision == 2]
    assert n.retention == "P6M" and n.purposes == ["early-help-triage", "research"]

    r = await gw.client.post("/v1/agreements/isa-gp-s251b/end", headers=gw.admin())
    assert r.status_code == 200 and r.json()["ended_on"] == date.today().isoformat()
    assert not r.json()["in_force"]
    [n] = [n for n in await gw.drain() if n.agreement == "isa-gp-s251b" and n.revision == 3]
    assert n.ended_on == date.today()

    r = await gw.client.post("/v1/datasets/gp-p81001/events", json=EVENT,
                             headers=gw.partner("gp-p81001"))
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "isa-gp-s251b is not in force" in r.json()["detail"]
    # an ended agreement cannot be revived by a replace
    r = await gw.client.put("/v1/agreements/isa-gp-s251b", json=body(), headers=gw.admin())
    assert r.status_code == 409

    # every revision is kept, as announced, with who made it and when
    r = await gw.client.get("/v1/agreements/isa-gp-s251b/revisions", headers=gw.admin())
    assert r.status_code == 200, r.text
    history = r.json()
    assert [h["revision"] for h in history] == [1, 2, 3]
    assert history[0]["terms"]["retention"] != "P6M" and history[1]["terms"]["retention"] == "P6M"
    assert history[2]["terms"]["ended_on"] == date.today().isoformat()
    assert len({h["actor"] for h in history}) == 1 and history[0]["actor"] != "registry.yaml"
    seeded = (await gw.client.get(f"/v1/agreements/{SEEDED}/revisions",
                                  headers=gw.admin())).json()
    assert seeded[0]["actor"] == "registry.yaml" and len(seeded) >= 2  # the dataset moved


async def test_dataset_without_agreement_is_refused(gw):
    r = await gw.client.put("/v1/agreements/isa-schools-future",
                            json=body(partner="schools-la", datasets=["school-census"],
                                      valid_from=(date.today() + timedelta(days=30)).isoformat()),
                            headers=gw.admin())
    assert r.status_code == 201, r.text
    r = await gw.client.post("/v1/datasets/school-census/identities", json={"records": []},
                             headers=gw.partner("schools-la"))
    assert r.status_code == 403 and "not in force" in r.json()["detail"]
    # no agreement at all: the dataset is dropped from every agreement
    r = await gw.client.put("/v1/agreements/isa-schools-future",
                            json=body(partner="schools-la", datasets=[]), headers=gw.admin())
    assert r.status_code == 200
    r = await gw.client.post("/v1/datasets/school-census/identities", json={"records": []},
                             headers=gw.partner("schools-la"))
    assert r.status_code == 403
    assert r.json()["detail"] == "no data-sharing agreement covers this dataset"


async def test_holdings_counts_receipts(gw):
    r = await gw.client.get(f"/v1/agreements/{SEEDED}/holdings", headers=gw.admin("auditor"))
    assert r.status_code == 200
    assert r.json()["service"] == "gateway" and r.json()["counts"]["datasets"] >= 1
    assert (await gw.client.get("/v1/agreements/nope/holdings", headers=gw.admin())
            ).status_code == 404
