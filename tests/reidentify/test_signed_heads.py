"""Signed heads exported outside the database: truncation, rewrites and forgeries detected."""

from __future__ import annotations

import json
import stat

import pytest
from sqlalchemy import text

from services.common.db import build_engine, build_sessionmaker, run_migrations
from services.reidentify import audit, cli, service, signing
from services.reidentify.chain import GENESIS, entry_hash, row_fields
from services.reidentify.models import AccessEntry
from services.reidentify.settings import ReidentifySettings
from tests.reidentify.conftest import MIGRATIONS

ENTRY = {"sub": "cw", "org": "org", "pseudonym": "p", "rule_id": "r",
         "purpose": "early-help-triage", "justification": "a justification of some length",
         "outcome": "allowed", "reason": None}


class Log:
    def __init__(self, tmp_path):
        self.url = f"sqlite+aiosqlite:///{tmp_path / 'log.db'}"
        self.key_path = tmp_path / "keys" / "log.pem"
        self.heads_path = tmp_path / "exports" / "heads.jsonl"

    async def __aenter__(self):
        run_migrations(MIGRATIONS, self.url)
        self.engine = build_engine(self.url)
        self.sessionmaker = build_sessionmaker(self.engine)
        self.reidentifier = service.Reidentifier(self.sessionmaker, None, timeout_s=1,
                                                 rate_per_hour=30)
        key = signing.ensure_signing_key(self.key_path, "development")
        self.signer = audit.HeadSigner(self.sessionmaker, key, self.heads_path)
        return self

    async def __aexit__(self, *exc):
        await self.engine.dispose()

    async def append(self, n: int) -> None:
        for i in range(n):
            await self.reidentifier.append({**ENTRY, "pseudonym": f"p-{i}"})

    async def sql(self, *statements: str) -> None:
        async with self.sessionmaker() as session, session.begin():
            for statement in statements:
                await session.execute(text(statement))

    async def verify(self) -> dict:
        async with self.sessionmaker() as session:
            return await audit.verify_with_heads(session, self.heads_path,
                                                 signing.public_key_path(self.key_path))


@pytest.fixture
async def log(tmp_path):
    async with Log(tmp_path) as log:
        await log.append(4)
        await log.signer.sign()  # head 4 signed
        await log.append(4)
        await log.signer.sign()  # head 8 signed
        await log.append(2)  # 9, 10 not yet signed
        yield log


async def test_signed_heads_verify(log):
    result = await log.verify()
    assert result["valid"] is True, result
    assert (result["entries"], result["signed_heads"], result["last_signed_seq"]) == (10, 2, 8)
    lines = [json.loads(line) for line in log.heads_path.read_text().splitlines()]
    assert [line["seq"] for line in lines] == [4, 8]
    assert set(lines[0]) == {"seq", "hash", "at", "sig"}


async def test_head_is_signed_only_when_it_moved(log):
    assert (await log.signer.sign())["seq"] == 10
    assert await log.signer.sign() is None
    assert len(log.heads_path.read_text().splitlines()) == 3


@pytest.mark.parametrize("statements,problem,first_bad", [
    # truncation after a signed head: the chain itself still verifies
    (["DELETE FROM access_log WHERE seq > 6"], "truncated", 7),
    (["DELETE FROM access_log WHERE seq >= 8"], "truncated", 8),
    (["DELETE FROM access_log"], "truncated", 1),
    (["UPDATE access_log SET justification = 'x' WHERE seq = 2"], "chain", 2),
    (["DELETE FROM access_log WHERE seq = 3"], "chain", 4),
])
async def test_tampering_against_signed_heads(log, statements, problem, first_bad):
    await log.sql(*statements)
    result = await log.verify()
    assert (result["valid"], result["problem"], result["first_bad_seq"]) == (
        False, problem, first_bad), result


async def test_rewritten_chain_is_caught_by_the_signed_head(log):
    """An attacker who edits entry 3 and re-hashes every later entry keeps a valid chain,
    but no longer matches the heads signed outside the database."""
    async with log.sessionmaker() as session, session.begin():
        rows = list((await session.execute(
            text("SELECT seq FROM access_log ORDER BY seq"))).scalars())
        prev = GENESIS
        for seq in rows:
            row = await session.get(AccessEntry, seq)
            if seq == 3:
                row.outcome = "refused"
            row.prev_hash = prev
            row.hash = entry_hash(prev, row_fields(row))
            prev = row.hash
            await session.flush()
    result = await log.verify()
    assert (result["valid"], result["problem"], result["first_bad_seq"]) == (
        False, "head-mismatch", 4)
    assert result["bad_signed_heads"] == 2


async def test_forged_or_edited_head_line_is_refused(log):
    lines = log.heads_path.read_text().splitlines()
    edited = json.loads(lines[0]) | {"seq": 3}
    log.heads_path.write_text("\n".join([json.dumps(edited), lines[1]]) + "\n")
    result = await log.verify()
    assert (result["valid"], result["problem"], result["bad_signed_heads"]) == (
        False, "head-signature", 1)


async def test_cli_verify_log_exit_status(log):
    settings = ReidentifySettings(database_url=log.url, log_signing_key_path=log.key_path,
                                  signed_heads_path=log.heads_path)
    printed: list[str] = []
    import asyncio

    code = await asyncio.to_thread(cli.main, [], settings, printed.append)
    assert code == 0 and json.loads(printed[-1])["valid"] is True
    await log.sql("DELETE FROM access_log WHERE seq > 5")
    code = await asyncio.to_thread(cli.main, [], settings, printed.append)
    assert code == 1 and json.loads(printed[-1])["problem"] == "truncated"


def test_signing_key_created_in_development_refused_in_production(tmp_path):
    path = tmp_path / "k" / "log.pem"
    with pytest.raises(signing.SigningKeyMissing):
        signing.ensure_signing_key(path, "production")
    assert not path.exists()
    key = signing.ensure_signing_key(path, "development")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    public = signing.load_public_key(signing.public_key_path(path))
    assert public.public_bytes_raw() == key.public_key().public_bytes_raw()
    # an existing key is used as it is, also in production
    again = signing.ensure_signing_key(path, "production")
    assert again.private_bytes_raw() == key.private_bytes_raw()


async def test_verify_log_verb_of_the_module(log):
    """`python -m services.reidentify verify-log` as an auditor would run it."""
    import os
    import subprocess
    import sys

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("TESSERA_")},
           "TESSERA_REIDENTIFY_DATABASE_URL": log.url,
           "TESSERA_REIDENTIFY_LOG_SIGNING_KEY_PATH": str(log.key_path),
           "TESSERA_REIDENTIFY_SIGNED_HEADS_PATH": str(log.heads_path)}

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "services.reidentify", "verify-log"],
                              env=env, capture_output=True, text=True, timeout=60)

    import asyncio

    done = await asyncio.to_thread(run)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["signed_heads"] == 2
    await log.sql("UPDATE access_log SET purpose = 'other' WHERE seq = 9")
    done = await asyncio.to_thread(run)
    assert done.returncode == 1
    assert json.loads(done.stdout)["first_bad_seq"] == 9
