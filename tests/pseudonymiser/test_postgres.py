"""The same linkage, merge and consent logic on PostgreSQL (asyncpg), without code changes."""

from __future__ import annotations

from datetime import date

import pytest

from services.common import messages as m
from services.common.db import build_engine, build_sessionmaker, run_migrations
from services.pseudonymiser import repository as repo
from services.pseudonymiser import review
from services.pseudonymiser.probabilistic import LinkageModel
from services.pseudonymiser.service import Pseudonymiser
from tests import postgres
from tests.pseudonymiser import reference
from tests.pseudonymiser.conftest import MIGRATIONS, Lookup
from tests.pseudonymiser.test_linkage import MODEL

pytestmark = pytest.mark.skipif(not postgres.available(), reason="no PostgreSQL binaries")


@pytest.fixture(scope="module")
def pg_url():
    pg = postgres.start()
    try:
        # one statement per -c: CREATE DATABASE cannot run inside a transaction block
        pg.run(str(postgres.PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(pg.port),
               "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1",
               "-c", "CREATE ROLE pseudonymiser LOGIN PASSWORD 'pw-test'",
               "-c", "CREATE DATABASE pseudonymiser OWNER pseudonymiser")
        url = f"postgresql+asyncpg://pseudonymiser:pw-test@127.0.0.1:{pg.port}/pseudonymiser"
        run_migrations(MIGRATIONS, url)
        yield url
    finally:
        pg.stop()


def row(token: str, **kw) -> m.IdentityRow:
    values = dict(record_token=token, local_id=token, given_name="Robert", family_name="Smith",
                  date_of_birth=date(1985, 3, 7), sex="M", address="12 High Street",
                  postcode="OL1 1AB")
    return m.IdentityRow(**{**values, **kw})


def batch(*rows: m.IdentityRow) -> m.IdentityBatch:
    return m.IdentityBatch(batch_id="b", chunk=0, partner="p", dataset="d", level="person",
                           rows=list(rows))


async def test_link_review_merge_split_withhold_on_postgres(pg_url):
    engine = build_engine(pg_url)
    sessions = build_sessionmaker(engine)
    svc = Pseudonymiser(b"p" * 32, b"h" * 32, LinkageModel.from_json(MODEL.read_text()))
    try:
        async with sessions() as s:
            await svc.load(s)
        async with sessions() as s, s.begin():
            out = await svc.ingest(s, batch(row("a"), row("z", given_name="Wiktoria",
                                                          family_name="Zielinska", sex="F",
                                                          date_of_birth=date(1999, 1, 2))),
                                   "data")
        first = {a.record_token: a for a in out.assignments}
        assert first["a"].person != first["z"].person
        async with sessions() as s, s.begin():
            out = await svc.ingest(s, batch(row("c", given_name="Bob")), "data")
        assert {a.record_token: a for a in out.assignments}["c"].person == first["a"].person
        # a reviewer says a and z are one person: merged, a's (older) pseudonym survives
        async with sessions() as s, s.begin():
            await repo.add_review_pairs(s, {("a", "z"): 0.6}, "test")
            pair = (await repo.review_page(s, "pending", 10, 0))[0]
            merged = await review.decide(svc, s, pair, "match", "officer-1")
        assert merged.changes[0].kind == "merge"
        assert merged.changes[0].survivor == first["a"].person
        assert {a.record_token: a.person for a in merged.assignments}["z"] == first["a"].person
        # ... then changes their mind: split again, z gets a new person
        async with sessions() as s, s.begin():
            pair = await repo.review_pair(s, pair.pair_id)
            split = await review.decide(svc, s, pair, "non_match", "officer-1")
        assert split.changes[0].kind == "split"
        moved = {a.record_token: a.person for a in split.assignments}
        assert moved["z"] not in (first["a"].person, first["z"].person)
        async with sessions() as s, s.begin():
            changed = await svc.decide(s, m.ConsentDecision(
                decision_id="d1", person=first["a"].person, status="opt_out", scope="all",
                decided_on=date(2026, 1, 1), effective=True, sequence=1))
        assert {a.record_token for a in changed} == {"a", "c"}
        assert all(a.withheld for a in changed)
        async with sessions() as s, s.begin():  # recorded before d1, applied after it
            assert await svc.decide(s, m.ConsentDecision(
                decision_id="d0", person=first["a"].person, status="consent", scope="all",
                decided_on=date(2026, 1, 1), effective=True, sequence=0)) == []
        async with sessions() as s:
            reply = await reference.reidentify(s, Lookup(
                pseudonym=first["a"].person, level="person"))
        assert reply.found and reply.withheld and not reply.subjects
    finally:
        await engine.dispose()


async def test_the_migrated_schema_is_the_models_on_postgresql(pg_url):
    from tests.pseudonymiser.test_migrations import schema_differences

    engine = build_engine(pg_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(schema_differences) == []
    finally:
        await engine.dispose()
