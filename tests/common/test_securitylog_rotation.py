"""A slice's events key rotated: heads signed with the old key stay verifiable while its
public half is listed (events_public_key_paths), and are refused once it is not. A module
of its own, so its NATS (and the slice's heads stream) is its own."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from services.common.db import run_migrations
from services.common.state import state_of
from services.consent.app import create_app
from services.consent.settings import ConsentSettings
from tests.common.test_securitylog import bearer

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "consent" / "migrations"


@pytest.mark.asyncio(loop_scope="session")
async def test_heads_signed_before_a_key_rotation_still_verify(nats_env, tmp_path):
    from services.common.signing import public_key_path, read_passphrase, write_key_pair

    url = f"sqlite+aiosqlite:///{tmp_path / 'consent.db'}"
    run_migrations(MIGRATIONS, url)
    kwargs = nats_env.settings_kwargs("consent", url)
    old, new = tmp_path / "old.pem", tmp_path / "new.pem"
    for path in (old, new):
        write_key_pair(path, read_passphrase(kwargs["private_key_passphrase_file"]))
    kwargs["events_signing_key_path"] = old

    async def verdict(**settings) -> dict:
        app = create_app(ConsentSettings(**{**kwargs, **settings}))
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://test") as client:
                await client.get("/v1/security-events", headers=bearer(nats_env, "auditor"))
                await state_of(app).rt.security.heads.sign()
                r = await client.get("/v1/security-events/verify",
                                     headers=bearer(nats_env, "auditor"))
                return r.json()

    assert (await verdict())["valid"] is True
    rotated = await verdict(events_signing_key_path=new,
                            events_public_key_paths=[public_key_path(old)])
    assert rotated["valid"] is True, rotated
    forgotten = await verdict(events_signing_key_path=new)
    assert {p["problem"] for p in forgotten["problems"]} == {"head-signature"}
