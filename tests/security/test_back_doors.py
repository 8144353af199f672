"""The secure box's doors, tried as an attacker would against the federation as real
processes (docs/security.md, "Threat model"): a role, a NATS password, a token or write
access to reidentify's files must not reach identity and demand unrecorded."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import jwt
import pytest
import pytest_asyncio

from deploy.federation import REPO, Federation
from deploy.layout import Layout
from deploy.natsserver import free_port
from services.common import bus, subjects
from services.common import messages as m
from services.common.sealing import Opener
from services.common.subjects import SERVICES
from services.reidentify import chain
from tests.security.conftest import PURPOSE, Fed
from tests.support import eventually

JUSTIFICATION = "Case discussion at the early help panel on Monday"
HOLDERS = ("pseudonymiser", "linker", "scorer", "reidentify", "consent")


def flag(pseudonym: str, area: str = "OL1") -> m.Flag:
    return m.Flag(pseudonym=pseudonym, level="person", rule_id="oldham", rule_version=1,
                  purposes=[PURPOSE], active=True, score=5.0, indicators=5, health=2,
                  non_health=3, area=area, raised_at=datetime.now(UTC))


def caseworker(fed: Fed, districts=("OL1",), **extra) -> dict:
    return fed.auth("reidentify", roles=["caseworker"], districts=list(districts),
                    purposes=[PURPOSE], org="oldham-early-help", **extra)


async def cohort(fed: Fed) -> set[str]:
    r = await fed.client.get(fed.url("reidentify", "/v1/cohorts/oldham"),
                             headers=caseworker(fed, ("OL1", "OL9")))
    return {c["pseudonym"] for c in r.json()}


# --- 1. subject access is a case, not a role -----------------------------------------------


async def test_no_role_reads_a_person_without_a_case(fed):
    fake_case = "sar-" + "0" * 16
    for service in HOLDERS:
        for roles in (["auditor"], ["admin"], ["auditor", "admin"]):
            headers = fed.auth(service, roles=roles)
            for params in ({}, {"case": fake_case}):
                r = await fed.client.get(fed.url(service, "/v1/subject-access/p_anyone"),
                                         params=params, headers=headers)
                assert r.status_code in (403, 422), (service, roles, params, r.text)
    r = await fed.client.post(fed.url("pseudonymiser", "/v1/subject-access/search"),
                              headers=fed.auth("pseudonymiser", roles=["auditor", "admin"]),
                              json={"case": fake_case, "family_name": "Hart",
                                    "date_of_birth": "1988-04-02"})
    assert r.status_code == 403
    # a DPO without an open case is refused, and the refusal is in the log
    dpo = fed.auth("linker", roles=["dpo"], subject="dpo-probe")
    r = await fed.client.get(fed.url("linker", "/v1/subject-access/p_anyone"),
                             params={"case": fake_case}, headers=dpo)
    assert (r.status_code, r.json()["reason"]) == (403, "no-case")
    log = await fed.client.get(fed.url("reidentify", "/v1/access-log"), params={"limit": 500},
                               headers=fed.auth("reidentify", roles=["auditor"]))
    assert any(e["sub"] == "dpo-probe" and e["slice"] == "linker" and e["reason"] == "no-case"
               for e in log.json())


# --- 2. consent has rules of authority and time ----------------------------------------------


async def test_consent_decisions_have_owners_and_no_future(fed):
    body = {"pseudonym": "p_not_held", "status": "opt_out", "scope": "all",
            "decided_on": date.today().isoformat()}
    r = await fed.client.post(fed.url("consent", "/v1/decisions"), json=body, headers=fed.auth(
        "consent", roles=["caseworker"], districts=["OL1"], purposes=[PURPOSE]))
    assert r.status_code == 403  # not a person of the caseworker's districts
    r = await fed.client.post(fed.url("consent", "/v1/decisions"), json={
        **body, "status": "consent",
        "decided_on": (date.today() + timedelta(days=1)).isoformat()},
        headers=fed.auth("consent", roles=["dpo"]))
    assert r.status_code == 422 and "after today" in r.json()["detail"]


# --- 4. one token policy everywhere ------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
async def test_a_ten_year_token_is_refused_everywhere(fed, service):
    claims = {"roles": ["admin", "auditor"], "partner": "gp-p81001", "scope": ["ingest"]}
    ten_years = fed.auth(service, lifetime_s=10 * 365 * 24 * 3600, **claims)
    r = await fed.client.get(fed.url(service, "/v1/ops/dead-letters"), headers=ten_years)
    assert (r.status_code, r.json()["detail"]) == (401, "token lifetime too long"), r.text


@pytest.mark.parametrize("claim,value", [("partner", ["gp-p81001", "police-gmp"]),
                                         ("roles", "admin"), ("scope", {"ingest": True})])
async def test_a_claim_of_the_wrong_type_is_401_not_500(fed, claim, value):
    claims = {"partner": "gp-p81001", "scope": ["ingest"], claim: value}
    r = await fed.client.get(fed.url("gateway", "/v1/datasets"),
                             headers=fed.auth("gateway", **claims))
    assert r.status_code == 401 and claim in r.json()["detail"], r.text


async def test_a_token_revoked_at_reidentify_is_refused_at_the_gateway(fed):
    token = fed.token("gateway", partner="gp-p81001", scope=["ingest"])
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await fed.client.get(fed.url("gateway", "/v1/datasets"),
                                 headers=bearer)).status_code == 200
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]
    r = await fed.client.post(fed.url("reidentify", "/v1/revocations"),
                              headers=fed.auth("reidentify", roles=["admin"]),
                              json={"jti": jti, "reason": "partner key leaked"})
    assert r.status_code == 201
    revoked_at = time.monotonic()

    async def refused():
        r = await fed.client.get(fed.url("gateway", "/v1/datasets"), headers=bearer)
        return r.status_code == 401 and r.json()["detail"] == "token revoked"

    await eventually(refused, timeout=1.0, interval=0.02)
    assert time.monotonic() - revoked_at < 1.0


# --- 5. a NATS password alone unlocks nobody ----------------------------------------------------


async def test_a_flag_forged_with_the_scorers_password_is_not_taken(fed):
    forged, genuine = f"p_forged_{uuid.uuid4().hex[:8]}", f"p_real_{uuid.uuid4().hex[:8]}"
    attacker = await fed.connect("scorer")  # the password, not the signing key
    scorer = await fed.bus("scorer")
    try:
        await attacker.jetstream().publish(
            subjects.FLAGS.subject, bus.encode(m.FlagBatch(flags=[flag(forged)])),
            headers={"Nats-Msg-Id": uuid.uuid4().hex})
        await scorer.publish(subjects.FLAGS, m.FlagBatch(flags=[flag(genuine)]),
                             msg_id=uuid.uuid4().hex)
    finally:
        await attacker.close()
        await scorer.nc.close()
    await eventually(lambda: _listed(fed, genuine), timeout=20)  # later on the same stream
    assert forged not in await cohort(fed)
    r = await fed.client.post(fed.url("reidentify", "/v1/unlock"), headers=caseworker(fed),
                              json={"pseudonym": forged, "purpose": PURPOSE,
                                    "justification": JUSTIFICATION})
    assert r.status_code == 403 and "subjects" not in r.json()


async def _listed(fed: Fed, pseudonym: str) -> bool:
    return pseudonym in await cohort(fed)


async def test_reidentifys_password_alone_gets_no_identity(fed):
    attacker = await fed.connect("reidentify")
    ask = m.ReidentifyRequest(pseudonym="p_anyone", level="person", access_id=1,
                              issued_at=datetime.now(UTC), reply_key=Opener().public)
    try:
        with pytest.raises(TimeoutError):
            await attacker.request(subjects.REIDENTIFY.subject, bus.encode(ask), timeout=1.5)
    finally:
        await attacker.close()


# --- 3. the access log's trust does not rest on files beside it ---------------------------------


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def own(tmp_path_factory):
    """A federation of its own (this test rewrites its access log), signing heads often."""
    env = {s: {} for s in SERVICES}
    env["reidentify"]["TESSERA_REIDENTIFY_HEAD_SIGNING_INTERVAL_S"] = "0.5"
    federation = Federation(Layout(tmp_path_factory.mktemp("back-doors")),
                            ports={s: free_port() for s in SERVICES}, nats_port=free_port(),
                            nats_monitor_port=None, environment="test", extra_env=env)
    await asyncio.to_thread(federation.start)
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            yield Fed(federation, client)
    finally:
        await asyncio.to_thread(federation.stop)


async def verify(fed: Fed) -> dict:
    r = await fed.client.get(fed.url("reidentify", "/v1/access-log/verify"),
                             headers=fed.auth("reidentify", roles=["auditor"]))
    assert r.status_code == 200, r.text
    return r.json()


def erase_and_rechain(federation: Federation, seq: int) -> None:
    """What an insider with write access to var/ (its keys included) does to hide one
    access."""
    con = federation.database("reidentify", readonly=False)
    try:
        con.execute("DELETE FROM access_log WHERE seq = ?", (seq,))
        con.execute("UPDATE access_log SET seq = seq - 1 WHERE seq > ?", (seq,))
        prev = chain.GENESIS
        cols = [c[1] for c in con.execute("PRAGMA table_info(access_log)")]
        for row in con.execute("SELECT * FROM access_log ORDER BY seq").fetchall():
            fields = dict(zip(cols, row, strict=True))
            fields["at"] = datetime.fromisoformat(fields["at"]).replace(tzinfo=UTC) \
                if isinstance(fields["at"], str) else fields["at"]
            digest = chain.entry_hash(prev, fields)
            con.execute("UPDATE access_log SET prev_hash = ?, hash = ? WHERE seq = ?",
                        (prev, digest, fields["seq"]))
            prev = digest
        con.commit()
    finally:
        con.close()


async def test_an_erased_entry_with_its_heads_deleted_is_caught(own):
    for i in range(4):  # refused attempts: entries of the log all the same
        await own.client.post(own.url("reidentify", "/v1/unlock"), headers=caseworker(own),
                              json={"pseudonym": f"p_nobody_{i}", "purpose": PURPOSE,
                                    "justification": JUSTIFICATION})

    async def signed_and_kept() -> bool:
        result = await verify(own)
        return result["valid"] and result["last_signed_seq"] == result["entries"] \
            and result["copies"]["gateway"] == result["copies"]["file"]

    await eventually(signed_and_kept, timeout=20)
    assert (await verify(own))["valid"]
    layout = own.fed.layout
    heads = layout.root / "exports" / "access-log-heads.jsonl"
    await asyncio.to_thread(own.fed.stop_service, "reidentify")
    await asyncio.to_thread(erase_and_rechain, own.fed, 2)
    heads.unlink()
    await asyncio.to_thread(own.fed.restart, "reidentify")
    result = await verify(own)
    assert result["valid"] is False
    # the gateway's heads no longer match the chain (which problem depends on where heads
    # were signed: the erased entry's, a later one's, or past the end of the shorter log)
    assert {"heads-missing", "head-mismatch", "truncated"} & set(result["problems"]), result
    # and the command-line verifier an auditor runs says the same, exit status 1
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "services.reidentify", "verify-log"],
        env=own.fed._env("reidentify"), cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["valid"] is False
