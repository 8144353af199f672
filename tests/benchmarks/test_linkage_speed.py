"""The linkage speed benchmark's helpers, and the property its figures rest on: linking a
batch costs a number of SQL statements that does not grow with the batch (set-based
writes and lookups), on a real migrated SQLite database with held records."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from benchmarks.linkage_speed import (
    bulk_load,
    cpu_seconds,
    forget_push,
    identities,
    pairwise_quality,
    record_objects,
    service_settings,
    stage_seconds,
)
from services.common import messages as m
from services.common.crypto import keyed_token
from services.common.db import build_engine, build_sessionmaker, run_migrations
from services.pseudonymiser import assembly
from services.pseudonymiser.models import IdentityRecord, Person
from services.pseudonymiser.settings import PseudonymiserSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "pseudonymiser" / "migrations"


def test_stage_seconds_sums_the_pseudonymisers_log_lines(tmp_path):
    log = tmp_path / "pseudonymiser.log"
    log.write_text(
        "x pseudonymiser INFO tessera.pseudonymiser: before the push\n"
        "x pseudonymiser INFO tessera.pseudonymiser: identity batches: 8, 4000 rows, 4000 new, "
        "5900 assignments, 12 merges; seconds prepare=0.300 link=0.900 score=0.500\n")
    offset = len(log.read_bytes())
    with log.open("a") as f:
        f.write("x pseudonymiser INFO tessera.pseudonymiser: identity batches: 8, 4000 rows, "
                "3990 new, 6000 assignments, 3 merges; seconds prepare=0.250 link=1.000\n"
                "x pseudonymiser INFO tessera.pseudonymiser: identity batches: 1, 500 rows, "
                "500 new, 700 assignments, 0 merges; seconds prepare=0.050 link=0.100\n")
    assert stage_seconds(log, offset) == {"calls": 2, "rows": 4500,
                                          "stages_seconds": {"prepare": 0.3, "link": 1.1}}


def test_cpu_seconds_of_this_process_grow_with_work():
    before = cpu_seconds(os.getpid())
    sum(i * i for i in range(2_000_000))
    assert cpu_seconds(os.getpid()) > before


@pytest.fixture(scope="module")
def held_database(tmp_path_factory):
    """2,000 held person-level records bulk-loaded as the benchmark loads them."""
    root = tmp_path_factory.mktemp("speed")
    keys = {name: os.urandom(32) for name in ("hmac", "person", "household")}
    for name, key in keys.items():
        (root / f"{name}.key").write_text(key.hex())
    url = f"sqlite+aiosqlite:///{root / 'p.db'}"
    run_migrations(MIGRATIONS, url)
    held, new = identities(2000, 1100, seed=3, out={})
    asyncio.run(bulk_load(url, record_objects(held, keys["hmac"]), keys["person"]))
    return root, url, keys["hmac"], new


def _batch(rows, hmac_key: bytes, name: str) -> list[m.IdentityBatch]:
    out: dict[tuple[str, str], list] = {}
    for partner, dataset, row in rows:
        out.setdefault((partner, dataset), []).append(m.IdentityRow(
            record_token=keyed_token(hmac_key, partner, dataset, row["local_id"], prefix="r_"),
            **row))
    return [m.IdentityBatch(batch_id=f"{name}-{i}", chunk=0, partner=p, dataset=d,
                            level="person", rows=r) for i, ((p, d), r) in enumerate(out.items())]


def test_statements_per_batch_do_not_grow_with_its_rows(held_database):
    root, url, hmac_key, new = held_database
    settings = PseudonymiserSettings(database_url=url, person_key_path=root / "person.key",
                                     household_key_path=root / "household.key")

    async def run() -> tuple[list[int], list, int, int]:
        engine = build_engine(url)
        statements = [0]

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _count(*_):
            statements[0] += 1

        try:
            sessionmaker = build_sessionmaker(engine)
            service = await assembly.build(settings, sessionmaker)
            counts, outcomes = [], []
            for name, rows in (("small", new[:100]), ("large", new[100:1100])):
                statements[0] = 0
                async with sessionmaker() as session, session.begin():
                    outcomes.append(await service.ingest(session, _batch(rows, hmac_key, name),
                                                         "data"))
                counts.append(statements[0])
            async with sessionmaker() as session:
                unlinked = await session.scalar(select(func.count()).where(
                    IdentityRecord.person_id.is_(None)))
                persons = await session.scalar(select(func.count(Person.id)))
            return counts, outcomes, unlinked, persons
        finally:
            await engine.dispose()

    (small, large), outcomes, unlinked, persons = asyncio.run(run())
    # every new record is stored, linked to a person and assigned once
    assert unlinked == 0 and persons > 2000
    assert {a.record_token for a in outcomes[1].assignments} >= {
        keyed_token(hmac_key, p, d, r["local_id"], prefix="r_") for p, d, r in new[100:1100]}
    assert all(a.person and a.version >= 1 for a in outcomes[1].assignments)
    # ten times the rows, (almost) the same statements: nothing is done row by row
    assert large <= small + 10, (small, large)
    assert large < 80, large


def test_forget_push_undoes_a_push_in_saved_state(tmp_path):
    """`--again`: the pushed records and their assignments go, and so do processed-message
    ids and the gateway's batches; held records and everything else stay."""
    data = tmp_path / "data"
    data.mkdir()
    schema = {"pseudonymiser": ["identity_records (record_token)", "inbox (id)", "persons (id)"],
              "linker": ["assignments (record_token)", "inbox (id)"],
              "gateway": ["batches (id)", "progress (id)", "inbox (id)", "datasets (id)"],
              "scorer": ["inbox (id)", "rules (id)"]}
    for db, tables in schema.items():
        with sqlite3.connect(data / f"{db}.db") as con:
            for table in tables:
                con.execute(f"CREATE TABLE {table}")
                con.executemany(f"INSERT INTO {table.split()[0]} VALUES (?)",  # noqa: S608
                                [("held",), ("pushed-1",), ("pushed-2",)])
    forget_push(tmp_path, ["pushed-1", "pushed-2"])

    def rows(db, table):
        with sqlite3.connect(data / f"{db}.db") as con:
            return [r for (r,) in con.execute(f"SELECT * FROM {table}")]  # noqa: S608
    assert rows("pseudonymiser", "identity_records") == ["held"]
    assert rows("linker", "assignments") == ["held"]
    assert rows("pseudonymiser", "persons") == ["held", "pushed-1", "pushed-2"]
    for db, table in (("pseudonymiser", "inbox"), ("linker", "inbox"), ("gateway", "batches"),
                      ("gateway", "progress"), ("gateway", "inbox"), ("scorer", "inbox")):
        assert rows(db, table) == [], (db, table)
    assert len(rows("gateway", "datasets")) == 3 and len(rows("scorer", "rules")) == 3


def test_pairwise_quality_counts_pairs_from_cluster_sizes(tmp_path):
    db = tmp_path / "p.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE identity_records (partner, dataset, local_id, person_id, "
                    "level, purpose)")
        # person 1 holds a, b (truth X) and c (truth Y); person 2 holds d (truth Y);
        # e has no truth (not counted); a property record is not counted
        con.executemany("INSERT INTO identity_records VALUES ('p', 'd', ?, ?, ?, 'data')",
                        [("a", 1, "person"), ("b", 1, "person"), ("c", 1, "person"),
                         ("d", 2, "person"), ("e", 2, "person"), ("f", 3, "property")])
    truth = {("p", "d", "a"): "X", ("p", "d", "b"): "X", ("p", "d", "c"): "Y",
             ("p", "d", "d"): "Y", ("p", "d", "f"): "Z"}
    q = pairwise_quality(db, truth)
    # predicted pairs ab, ac, bc; true pairs ab, cd; correct ab
    assert (q["predicted_pairs"], q["true_pairs"]) == (3, 2)
    assert (q["precision"], q["recall"]) == (round(1 / 3, 5), 0.5)
    assert (q["records"], q["persons"], q["true_persons"]) == (4, 2, 2)
    assert q["persons_mixing_true_persons"] == 1


def test_env_settings_go_to_the_service_they_name():
    assert service_settings(["TESSERA_PSEUDONYMISER_LINK_GROUP_MESSAGES=32",
                             "TESSERA_LINKER_CONSUMER_BATCH=8"]) == {
        "pseudonymiser": {"TESSERA_PSEUDONYMISER_LINK_GROUP_MESSAGES": "32"},
        "linker": {"TESSERA_LINKER_CONSUMER_BATCH": "8"}}
    with pytest.raises(SystemExit):
        service_settings(["LINK_GROUP_MESSAGES=32"])
