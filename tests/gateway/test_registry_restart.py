"""registry.yaml seeds the agreements; once one is changed through the API, a gateway
restart (which reloads the file) keeps the API's version and the datasets it covers."""

from __future__ import annotations

import httpx

from gateway.app import create_app
from gateway.settings import GatewaySettings
from services.common.db import run_migrations
from tests.consent.test_agreements_registry import MIGRATIONS, REGISTRY, SEEDED


async def test_api_changes_survive_a_restart(nats_env, tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    run_migrations(MIGRATIONS, url)
    settings = GatewaySettings(**nats_env.settings_kwargs("gateway", url),
                               hmac_key_path=nats_env.layout.key("gateway-hmac"),
                               registry_path=REGISTRY)
    token = nats_env.token("gateway", subject="dpo-1", roles=["admin"], org="council")
    admin = {"Authorization": f"Bearer {token}"}

    async def run(step):
        app = create_app(settings)
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return await step(client)

    async def change(client):
        seeded = (await client.get(f"/v1/agreements/{SEEDED}", headers=admin)).json()
        body = {k: seeded[k] for k in ("partner", "datasets", "legal_basis", "purposes",
                                       "retention", "valid_from", "valid_to")
                if k in seeded}
        body["purposes"] = ["early-help-triage", "service-planning"]
        body["datasets"] = [d for d in seeded["datasets"] if d != "police-callouts"]
        reply = await client.put(f"/v1/agreements/{SEEDED}", json=body, headers=admin)
        assert reply.status_code == 200, reply.text
        return reply.json()

    async def read(client):
        return (await client.get(f"/v1/agreements/{SEEDED}", headers=admin)).json()

    changed = await run(change)
    after = await run(read)
    assert after["purposes"] == ["early-help-triage", "service-planning"]
    assert after["datasets"] == changed["datasets"]
    assert "police-callouts" not in after["datasets"]
    assert after["revision"] == changed["revision"]  # a restart is not a change
