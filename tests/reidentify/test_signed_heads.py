"""Signed heads kept in two copies off the database: truncation, rewrites, forgeries,
deleted or re-signed heads all detected."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import stat
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import text

from services.common import messages as m
from services.common import subjects
from services.common.db import build_engine, build_sessionmaker, run_migrations, utcnow
from services.common.heads import sign_head, trusted_keys
from services.common.signing import (
    KeyFileSigner,
    SigningKeyError,
    load_public_key,
    public_key_path,
    write_key_pair,
)
from services.reidentify import audit, cli, service, signing
from services.reidentify.chain import GENESIS, entry_hash, row_fields
from services.reidentify.heads import DirectorySink, FileSink, HeadSigner
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
        self.kept_path = tmp_path / "keeper" / "heads.jsonl"  # the other copy
        self.worm = tmp_path / "worm"

    async def __aenter__(self):
        run_migrations(MIGRATIONS, self.url)
        self.engine = build_engine(self.url)
        self.sessionmaker = build_sessionmaker(self.engine)
        self.reidentifier = service.Reidentifier(self.sessionmaker, None, timeout_s=1,
                                                 rate_per_hour=30)
        self.key = signing.log_signer(self.key_path, None, None, "development")
        self.trusted = trusted_keys([public_key_path(self.key_path)])
        self.signer = HeadSigner(self.sessionmaker, self.key, [
            FileSink(self.heads_path), FileSink(self.kept_path), DirectorySink(self.worm)])
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

    async def verify(self, trusted=None, later: timedelta = timedelta(0)) -> dict:
        witnesses = audit.Witnesses(None, self.heads_path, trusted or self.trusted,
                                    timedelta(minutes=3), other_heads=self.kept_path)
        async with self.sessionmaker() as session:
            return await audit.verify(session, await witnesses.evidence(),
                                      now=utcnow() + later)


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
    assert result["copies"] == {"file": 2, "other": 2}
    assert result["unsigned_entries"] == 2
    lines = [json.loads(line) for line in log.heads_path.read_text().splitlines()]
    assert [line["seq"] for line in lines] == [4, 8]
    assert set(lines[0]) == {"seq", "hash", "at", "kid", "sig"}
    assert lines[0]["kid"] == log.key.kid
    # the write-once directory: one read-only file per head
    files = sorted(log.worm.iterdir())
    assert [f.name for f in files] == ["head-000000000004.json", "head-000000000008.json"]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o444 for f in files)


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


async def rewrite_from(log, seq: int, *, delete: bool = False) -> None:
    """What an insider with the database does: change (or erase) an entry, then re-chain
    every later row so the chain verifies again."""
    async with log.sessionmaker() as session, session.begin():
        if delete:
            await session.execute(text("DELETE FROM access_log WHERE seq = :s"), {"s": seq})
            await session.execute(text("UPDATE access_log SET seq = seq - 1 WHERE seq > :s"),
                                  {"s": seq})
        rows = list((await session.execute(
            text("SELECT seq FROM access_log ORDER BY seq"))).scalars())
        prev = GENESIS
        for s in rows:
            row = await session.get(AccessEntry, s)
            if s == seq and not delete:
                row.outcome = "refused"
            row.prev_hash = prev
            row.hash = entry_hash(prev, row_fields(row))
            prev = row.hash
            await session.flush()


async def test_rewritten_chain_is_caught_by_the_signed_head(log):
    await rewrite_from(log, 3)
    result = await log.verify()
    assert (result["valid"], result["problem"], result["first_bad_seq"]) == (
        False, "head-mismatch", 4)
    assert result["bad_signed_heads"] == 4  # both heads, in both copies


async def test_an_erased_entry_with_its_heads_deleted_is_caught(log):
    """Erase an entry, re-chain the rows, delete the local heads: the other copy still
    holds them (before, verify-log said valid with signed_heads 0)."""
    await rewrite_from(log, 2, delete=True)
    log.heads_path.unlink()
    result = await log.verify(later=timedelta(hours=1))  # past the time heads take to spread
    assert result["valid"] is False
    assert {"heads-missing", "head-mismatch"} <= set(result["problems"]), result
    assert result["missing_heads"] == 2


async def test_heads_re_signed_with_another_key_are_refused(log):
    """Erase, re-chain, then re-sign both copies with a key of the insider's own."""
    await rewrite_from(log, 2, delete=True)
    write_key_pair(log.key_path.with_name("insider.pem"))
    insider = KeyFileSigner(log.key_path.with_name("insider.pem"))
    async with log.sessionmaker() as session:
        rows = {r.seq: r for r in (await session.execute(
            text("SELECT seq, hash, at FROM access_log"))).all()}
    for path in (log.heads_path, log.kept_path):
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        forged = [sign_head(insider, h["seq"] - 1, rows[h["seq"] - 1].hash, h["at"])
                  for h in lines]
        path.write_text("".join(json.dumps(h) + "\n" for h in forged))
    result = await log.verify()
    assert (result["valid"], result["problem"]) == (False, "head-key"), result
    # and a verifier given only the insider's key would still see one copy or the
    # other disagree with what the gateway holds: see the federation tests


async def test_no_heads_at_all_for_old_entries_is_a_problem(log):
    log.heads_path.unlink()
    log.kept_path.unlink()
    assert (await log.verify())["valid"] is True  # entries minutes old: not signed yet
    result = await log.verify(later=timedelta(hours=1))
    assert (result["valid"], result["problem"]) == (False, "heads-missing"), result


async def test_a_copy_with_fewer_heads_is_a_problem(log):
    lines = log.kept_path.read_text().splitlines()
    log.kept_path.write_text(lines[0] + "\n")
    # a head signed moments ago may not have reached every copy yet; later, it must have
    assert (await log.verify())["missing_heads"] == 0
    result = await log.verify(later=timedelta(hours=1))
    assert (result["valid"], result["problem"], result["missing_heads"]) == (
        False, "heads-missing", 1)


async def test_forged_or_edited_head_line_is_refused(log):
    lines = log.heads_path.read_text().splitlines()
    edited = json.loads(lines[0]) | {"seq": 3}
    log.heads_path.write_text("\n".join([json.dumps(edited), lines[1]]) + "\n")
    result = await log.verify()
    assert result["valid"] is False
    assert "head-signature" in result["problems"]


async def test_a_command_signs_heads_for_a_key_held_elsewhere(tmp_path):
    """The KMS/HSM interface: the key is only in a program the service runs."""
    hsm = tmp_path / "hsm"
    write_key_pair(hsm / "key.pem")
    script = tmp_path / "sign.py"
    script.write_text(
        "import sys\n"
        "from cryptography.hazmat.primitives import serialization\n"
        f"key = serialization.load_pem_private_key(open({str(hsm / 'key.pem')!r}, 'rb')"
        ".read(), None)\n"
        "sys.stdout.buffer.write(key.sign(sys.stdin.buffer.read()))\n")
    signer = signing.log_signer(None, [sys.executable, str(script)],
                                public_key_path(hsm / "key.pem"), "production")
    head = sign_head(signer, 1, "ab" * 32, "2026-12-07T00:00:00.000000+00:00")
    from services.common.heads import check_head

    verdict = check_head(head, 1, trusted_keys([public_key_path(hsm / "key.pem")]))
    assert verdict.signature_ok and verdict.key_trusted
    script.write_text("import sys\nsys.stdout.buffer.write(b'x' * 64)\n")
    with pytest.raises(SigningKeyError, match="refutes"):
        signer.sign(b"anything")


def test_signing_key_created_in_development_refused_in_production(tmp_path):
    path = tmp_path / "k" / "log.pem"
    with pytest.raises(SigningKeyError):
        signing.log_signer(path, None, None, "production")
    assert not path.exists()
    key = signing.log_signer(path, None, None, "development")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    public = load_public_key(public_key_path(path))
    assert public.public_bytes_raw() == key.public_key().public_bytes_raw()
    # production refuses a key stored unencrypted, and takes it encrypted
    with pytest.raises(SigningKeyError, match="unencrypted"):
        signing.log_signer(path, None, None, "production")
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("a passphrase kept apart from the key\n")
    sealed = tmp_path / "k" / "sealed.pem"
    signing.log_signer(sealed, None, None, "development", passphrase)
    assert b"ENCRYPTED PRIVATE KEY" in sealed.read_bytes()
    again = signing.log_signer(sealed, None, None, "production", passphrase)
    assert again.kid == signing.log_signer(sealed, None, None, "test", passphrase).kid
    with pytest.raises(SigningKeyError, match="private_key_passphrase_file"):
        signing.log_signer(sealed, None, None, "production")


def test_production_needs_pinned_log_keys(tmp_path):
    with pytest.raises(ValueError, match="TESSERA_REIDENTIFY_LOG_PUBLIC_KEY_PATHS"):
        ReidentifySettings(environment="production", nats_password="a-real-one",
                           database_url="postgresql+asyncpg://reidentify@db/reidentify",
                           log_public_key_paths=[])


@pytest.fixture
async def no_releases(nats_env):
    """A pseudonymiser whose release ledger is empty, answering on the real bus."""
    peer = await nats_env.bus("pseudonymiser")

    async def answer(msg):
        await peer.respond(msg, m.ReleasesPage(releases=[]))

    await peer.nc.subscribe(subjects.RELEASES.subject, cb=answer)
    yield
    await peer.nc.close()


async def test_cli_verify_log_exit_status(log, nats_env, no_releases):
    settings = ReidentifySettings(**nats_env.settings_kwargs("reidentify", log.url),
                                  log_signing_key_path=log.key_path,
                                  log_public_key_paths=[public_key_path(log.key_path)],
                                  signed_heads_path=log.heads_path)
    printed: list[str] = []
    parser = argparse.ArgumentParser()
    cli.verify_options(parser)
    args = parser.parse_args(["--other-heads", str(log.kept_path)])
    code = await asyncio.to_thread(cli.verify, args, settings, printed.append)
    assert code == 0 and json.loads(printed[-1])["valid"] is True, printed[-1]
    assert json.loads(printed[-1])["releases_checked"] == 0
    await log.sql("DELETE FROM access_log WHERE seq > 5")
    code = await asyncio.to_thread(cli.verify, args, settings, printed.append)
    assert code == 1 and json.loads(printed[-1])["problem"] == "truncated"


async def test_verify_log_verb_of_the_module(log, nats_env, no_releases):
    """`python -m services.reidentify verify-log` as an auditor would run it."""
    kwargs = nats_env.settings_kwargs("reidentify", log.url)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("TESSERA_")},
           **{f"TESSERA_REIDENTIFY_{k.upper()}": str(v) for k, v in kwargs.items()},
           "TESSERA_REIDENTIFY_LOG_SIGNING_KEY_PATH": str(log.key_path),
           "TESSERA_REIDENTIFY_SIGNED_HEADS_PATH": str(log.heads_path)}

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "services.reidentify", "verify-log",
                               "--other-heads", str(log.kept_path)],
                              env=env, capture_output=True, text=True, timeout=60)

    done = await asyncio.to_thread(run)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["signed_heads"] == 2
    await log.sql("UPDATE access_log SET purpose = 'other' WHERE seq = 9")
    done = await asyncio.to_thread(run)
    assert done.returncode == 1
    assert json.loads(done.stdout)["first_bad_seq"] == 9


async def test_heads_a_sink_missed_are_sent_again_after_a_restart(log, tmp_path):
    """The stream or write-once store was unreachable until the process stopped: the next
    start sends it the heads it missed, from the local export."""
    later = tmp_path / "worm-later"
    restarted = HeadSigner(log.sessionmaker, log.key, [FileSink(log.heads_path),
                                                       DirectorySink(later)])
    restarted.resend(signing.last_heads(log.heads_path))
    await restarted.sign()  # signs 10, and sends 4 and 8 first
    assert sorted(f.name for f in later.iterdir()) == [
        "head-000000000004.json", "head-000000000008.json", "head-000000000010.json"]
    assert [json.loads(x)["seq"] for x in log.heads_path.read_text().splitlines()] == [4, 8, 10]
