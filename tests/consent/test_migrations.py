"""Consent's Alembic history on SQLite and PostgreSQL: decisions recorded before they had
a sequence are numbered in the order they were stored, and every decision recorded after
the upgrade comes later."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from services.common.db import UTCDateTime, build_engine, build_sessionmaker, run_migrations
from services.consent import repository, service
from tests import postgres
from tests.consent.conftest import MIGRATIONS

DAY = date(2026, 5, 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'consent.db'}"
        return
    if not postgres.available():
        pytest.skip("no PostgreSQL binaries")
    with postgres.databases("consent") as (url,):
        yield url


async def test_decisions_stored_before_the_upgrade_come_before_every_later_one(database_url):
    run_migrations(MIGRATIONS, database_url, "0003_security_events")
    engine = build_engine(database_url)
    sessions = build_sessionmaker(engine)
    try:
        async with sessions() as s, s.begin():
            insert = sa.text(
                "INSERT INTO decisions (decision_id, person, status, scope, decided_on, "
                "recorded_at, source) VALUES (:id, 'p-1', :status, 'all', :day, :at, "
                "'practitioner')").bindparams(sa.bindparam("day", type_=sa.Date()),
                                              sa.bindparam("at", type_=UTCDateTime()))
            for n, status in enumerate(("opt_out", "consent", "opt_out"), start=1):
                await s.execute(insert, {"id": f"old-{n}", "status": status, "day": DAY,
                                         "at": datetime(2026, 5, 1, 10, 0, n, tzinfo=UTC)})
        await engine.dispose()
        run_migrations(MIGRATIONS, database_url)
        engine = build_engine(database_url)
        sessions = build_sessionmaker(engine)
        async with sessions() as s:
            old = (await s.execute(sa.text(
                "SELECT decision_id, sequence FROM decisions ORDER BY id"))).all()
        assert [d for d, _ in old] == ["old-1", "old-2", "old-3"]
        assert [n for _, n in old] == sorted(n for _, n in old)
        # two decisions of one day, recorded in two transactions, and two in one
        new = []
        for status in ("consent", "opt_out"):
            async with sessions() as s, s.begin():
                new.append(await service.record(
                    s, pseudonym="p-1", status=status, scope="all", evidence=None,
                    notice_version=None, decided_on=DAY, recorded_by="cw-1"))
        async with sessions() as s, s.begin():
            await repository.serialise(s)
            both = await service.create_decisions(s, [service.NewDecision(
                f"new-{n}", "p-2", None, status, "all", DAY, None, None, "practitioner")
                for n, status in enumerate(("opt_out", "consent"))])
        sequences = [row.sequence for row, _ in new] + [row.sequence for row, _ in both]
        # of two in one transaction only the later is effective
        assert [effective for _, effective in new + both] == [True, True, False, True]
        assert old[-1][1] < sequences[0] and sequences == sorted(set(sequences))
        messages = [service.to_message(row, effective) for row, effective in new + both]
        assert [m.sequence for m in messages] == sequences
    finally:
        await engine.dispose()
