"""Encryption at rest: identities sent through the bus and stored by the pseudonymiser are
nowhere in plain bytes on disk, neither in the JetStream store, nor in the SQLite
database, its WAL or a backup of it. The same scan with encryption off finds them, so
the test can fail."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from services.common import backup
from services.common.db import read_database_key, run_migrations
from services.pseudonymiser.app import create_app
from services.pseudonymiser.settings import PseudonymiserSettings
from synthetic import generate_borough
from tests.pseudonymiser.conftest import MIGRATIONS, Federation
from tests.pseudonymiser.test_backup import rows_of
from tests.support import start_nats_async


def needles(rows: list[dict]) -> set[bytes]:
    """Values no program text holds by chance: postcodes and long family names."""
    found = {r["postcode"] for r in rows if r.get("postcode")}
    found |= {r["family_name"] for r in rows if len(r.get("family_name") or "") >= 7}
    return {v.encode() for v in found}


def plain_hits(paths: list[Path], values: set[bytes]) -> int:
    """How many of the values appear in the files' bytes (a count, never the values)."""
    data = b"".join(p.read_bytes() for p in paths if p.is_file())
    return sum(v in data for v in values)


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "plain"])
async def test_no_identity_in_plain_bytes_at_rest(tmp_path, encrypted):
    env = await start_nats_async(tmp_path / "nats", encrypted=encrypted)
    try:
        rows = rows_of(generate_borough(3, 40, date(2025, 3, 31)), "gp-p81001")
        values = needles(rows)
        assert len(values) >= 20
        fed = Federation(env)
        await fed.start()
        try:
            batch = await fed.publish(rows)
            # on the bus: stored (synced) in the stream before the pseudonymiser takes it
            stored = plain_hits(files_under(env.layout.jetstream), values)

            database = tmp_path / "data" / "p.db"
            url = f"sqlite+aiosqlite:///{database}"
            key_file = env.layout.database_key("pseudonymiser") if encrypted else None
            key = read_database_key(key_file) if key_file else None
            run_migrations(MIGRATIONS, url, key=key)
            settings = PseudonymiserSettings(
                **env.settings_kwargs("pseudonymiser", url), database_key_file=key_file,
                person_key_path=env.layout.key("pseudonym-person"),
                household_key_path=env.layout.key("pseudonym-household"))
            app = create_app(settings)
            async with app.router.lifespan_context(app):
                assert await fed.processed(batch) == len(rows)
                # while it runs: the database and the WAL the last commits went to
                running = plain_hits(files_under(database.parent), values)
                copy = tmp_path / "backups" / "p.db"
                backup.backup(url, copy, key)
            kept = plain_hits(files_under(database.parent) + [copy], values)
        finally:
            await fed.close()
    finally:
        env.stop()
    if encrypted:
        assert (stored, running, kept) == (0, 0, 0)
    else:  # the control: the same scan sees them when nothing is encrypted
        assert stored > 0 and running > 0 and kept > 0
