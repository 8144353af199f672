"""A pseudonymiser backed up while it links, then restored in place of a lost database,
keeps every pseudonym: the people it held get the same pseudonyms afterwards, and the
same people arriving again are linked to them."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import select

from services.common import messages as m
from services.common.commands import service_main
from services.common.db import run_migrations
from services.common.state import state_of
from services.pseudonymiser.app import create_app
from services.pseudonymiser.models import Person
from services.pseudonymiser.settings import PseudonymiserSettings
from synthetic import generate_borough
from tests.pseudonymiser.conftest import MIGRATIONS, Federation

FIELDS = set(m.IdentityRow.model_fields)


def rows_of(borough, dataset: str) -> list[dict]:
    ds = borough.dataset(dataset)
    return [{k: v for k, v in {**r, "record_token": f"{dataset}|{r['local_id']}"}.items()
             if k in FIELDS} for r in ds.identities]


async def _pseudonyms(app) -> dict[str, str]:
    async with state_of(app).sessionmaker() as s:
        return {p: p for p in (await s.execute(select(Person.pseudonym))).scalars()}


async def test_a_restored_backup_keeps_every_pseudonym(nats_env, tmp_path, monkeypatch):
    borough = generate_borough(5, 60, date(2025, 3, 31))
    first, again = rows_of(borough, "gp-p81001"), rows_of(borough, "school-census")
    database = tmp_path / "p.db"
    url = f"sqlite+aiosqlite:///{database}"
    run_migrations(MIGRATIONS, url)
    settings = dict(**nats_env.settings_kwargs("pseudonymiser", url),
                    person_key_path=nats_env.layout.key("pseudonym-person"),
                    household_key_path=nats_env.layout.key("pseudonym-household"))
    monkeypatch.setenv("TESSERA_PSEUDONYMISER_DATABASE_URL", url)
    backup_file = tmp_path / "backups" / "p.db"

    app = create_app(PseudonymiserSettings(**settings))
    async with app.router.lifespan_context(app):
        fed = Federation(nats_env)
        await fed.start()
        try:
            batch = await fed.publish(first)
            assert await fed.processed(batch) == len(first)
            assigned = {r["record_token"]: (await fed.latest(r["record_token"])).person
                        for r in first}
            held = await _pseudonyms(app)
            # online: taken while the service runs
            assert service_main(PseudonymiserSettings, create_app, MIGRATIONS,
                                argv=["backup", "--to", str(backup_file)]) == 0
        finally:
            await fed.close()

    for lost in database.parent.glob("p.db*"):  # the disk is lost: database, WAL, shm
        lost.unlink()
    assert service_main(PseudonymiserSettings, create_app, MIGRATIONS,
                        argv=["restore", "--from", str(backup_file)]) == 0

    app = create_app(PseudonymiserSettings(**settings))
    async with app.router.lifespan_context(app):
        fed = Federation(nats_env)
        await fed.start()
        try:
            assert await _pseudonyms(app) == held
            # the school census names some of the same people: they meet their pseudonyms
            batch = await fed.publish(again, dataset="school-census")
            assert await fed.processed(batch) == len(again)
            records = borough.truth.records
            gp_of = {records[("gp-p81001", "gp-p81001", r["local_id"])].person_id:
                     assigned[r["record_token"]] for r in first}
            known = [r for r in again
                     if records[("schools-la", "school-census", r["local_id"])].person_id
                     in gp_of]
            assert known, "the generator puts some pupils on the GP list"
            rejoined = 0
            for r in known:
                person_id = records[("schools-la", "school-census", r["local_id"])].person_id
                rejoined += (await fed.latest(r["record_token"])).person == gp_of[person_id]
            assert rejoined >= max(1, 0.9 * len(known)), (rejoined, len(known))
        finally:
            await fed.close()


def test_a_backup_of_postgresql_points_to_its_own_tools(monkeypatch, capsys):
    monkeypatch.setenv("TESSERA_PSEUDONYMISER_DATABASE_URL",
                       f"postgresql+asyncpg://p:pw@127.0.0.1:1/{uuid.uuid4().hex}")
    assert service_main(PseudonymiserSettings, create_app, Path("unused"),
                        argv=["backup", "--to", "/tmp/never"]) == 1
    assert "pg_dump" in capsys.readouterr().err
