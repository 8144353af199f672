"""The pseudonymiser's Alembic history builds the schema its models describe, and keeps
the data it holds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.common.db import run_migrations
from services.pseudonymiser.models import Base

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "pseudonymiser" / "migrations"
NOW = "2026-12-06 10:00:00.000000"


def schema_differences(connection) -> list:
    """What the database behind `connection` lacks or has beyond the models (a sync
    connection; on PostgreSQL through `run_sync`)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


def test_the_migrated_schema_is_the_models(tmp_path):
    run_migrations(MIGRATIONS, f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as connection:
        assert schema_differences(connection) == []
    engine.dispose()


def test_dropping_the_uuid_indexes_keeps_persons_households_and_their_records(tmp_path):
    db = tmp_path / "p.db"
    run_migrations(MIGRATIONS, f"sqlite+aiosqlite:///{db}", "0008_lighter_record_indexes")
    with sqlite3.connect(db) as con:
        con.execute("INSERT INTO households (id, uuid, pseudonym, address_key, area, "
                    "created_at) VALUES (7, 'hu', 'h_one', '12|MILL|OL42JT', 'OL4', ?)", (NOW,))
        con.execute("INSERT INTO persons (id, uuid, pseudonym, withheld, household_id, "
                    "created_at) VALUES (3, 'pu', 'p_one', 0, 7, ?)", (NOW,))
        con.execute("INSERT INTO identity_records (record_token, partner, dataset, level, "
                    "purpose, local_id, person_id, household_id, version, received_seq, "
                    "received_at) VALUES ('r_one', 'gp', 'gp-a', 'person', 'data', 'E1', 3, "
                    "7, 1, 1, ?)", (NOW,))
        with pytest.raises(sqlite3.IntegrityError):  # the uuid was unique
            con.execute("INSERT INTO persons (uuid, pseudonym, withheld, created_at) "
                        "VALUES ('pu', 'p_two', 0, ?)", (NOW,))
    run_migrations(MIGRATIONS, f"sqlite+aiosqlite:///{db}")
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT id, uuid, pseudonym, household_id FROM persons").fetchall() \
            == [(3, "pu", "p_one", 7)]
        assert con.execute("SELECT id, address_key FROM households").fetchall() == [
            (7, "12|MILL|OL42JT")]
        assert con.execute("SELECT person_id, household_id FROM identity_records").fetchall() \
            == [(3, 7)]
        con.execute("INSERT INTO persons (uuid, pseudonym, withheld, created_at) "
                    "VALUES ('pu', 'p_two', 0, ?)", (NOW,))  # no uuid index now
        with pytest.raises(sqlite3.IntegrityError):  # the pseudonym's index stays unique
            con.execute("INSERT INTO persons (uuid, pseudonym, withheld, created_at) "
                        "VALUES ('pv', 'p_one', 0, ?)", (NOW,))
        assert {n for (n,) in con.execute(
            "SELECT name FROM sqlite_master WHERE tbl_name = 'persons' AND type = 'index'")} \
            >= {"ix_persons_household_id"}
