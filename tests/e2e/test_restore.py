"""A backup taken before an agreement ended, restored: the real federation (its own), each
slice that keeps agreements backed up with its `backup` command, the agreement ended
(data purged everywhere, a receipt from each slice), the slices stopped and restored from
the backups, which hold the agreement as in force and its data again; started, each
reconciles with the gateway's registry before it reports ready, purges the data again and
signs a receipt for it. The ending's notice is not on the bus for them any more: the
agreements stream let it go once every slice had taken it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import date

import httpx
import pytest_asyncio

from deploy.federation import MODULES, REPO
from services.common import erasure, signing
from services.common import messages as m
from tests.e2e.conftest import federation_with_borough
from tests.support import eventually

AGREEMENT = "isa-oldham-early-help-2026"
# each slice that keeps agreements, and what it holds under one (its holdings, its table)
HELD = {
    "pseudonymiser": ("identity_records", "SELECT count(*) FROM identity_records "
                      "WHERE agreement = :a"),
    "linker": ("events", "SELECT count(*) FROM events WHERE agreement = :a"),
    "scorer": ("evaluations", "SELECT count(*) FROM evaluations "
               "WHERE agreements LIKE '% ' || :a || ' %'"),
    "reidentify": ("flags", "SELECT count(*) FROM flags "
                   "WHERE agreements LIKE '% ' || :a || ' %'"),
}
SLICES = tuple(HELD)


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def run(tmp_path_factory):
    async with federation_with_borough(tmp_path_factory.mktemp("restore"),
                                       households=60, seed=23) as running:
        yield running


async def call(run, method: str, service: str, path: str, *roles: str, **kw):
    token = run.token(service, subject="admin-1", roles=list(roles or ["admin"]),
                      org="council")
    async with httpx.AsyncClient(timeout=30, verify=run.fed.verify) as c:
        return await c.request(method, f"{run.url(service)}{path}",
                               headers={"Authorization": f"Bearer {token}"}, **kw)


async def held(run, service: str) -> int:
    r = await call(run, "GET", service, f"/v1/agreements/{AGREEMENT}/holdings", "auditor")
    assert r.status_code == 200, r.text
    return r.json()["counts"][HELD[service][0]]


async def ended_on(run, service: str) -> str | None:
    r = await call(run, "GET", service, "/v1/agreements", "auditor")
    assert r.status_code == 200, r.text
    return {a["agreement"]: a for a in r.json()}[AGREEMENT]["ended_on"]


async def endings(run) -> dict[str, list[dict]]:
    """The gateway's receipts of the agreement's ending, by slice, oldest first."""
    r = await call(run, "GET", "gateway", f"/v1/agreements/{AGREEMENT}/receipts", "auditor")
    assert r.status_code == 200, r.text
    out: dict[str, list[dict]] = {}
    for receipt in r.json():
        if receipt["reason"] == "agreement-ended":
            out.setdefault(receipt["service"], []).append(receipt)
    return out


def command(run, service: str, *args: str) -> dict:
    """`python -m <slice> ...` with the slice's environment, as an operator runs it."""
    done = subprocess.run([sys.executable, "-m", MODULES[service], *args],
                          env=run.fed._env(service), cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def restored_state(run, service: str) -> tuple[str | None, int]:
    """What a restored database holds, read before the slice starts: the agreement's
    ending and the rows held under it."""
    con = run.connect(service)
    try:
        ended = con.execute("SELECT ended_on FROM agreements WHERE agreement = ?",
                            (AGREEMENT,)).fetchone()[0]
        rows = con.execute(HELD[service][1].replace(":a", "?"), (AGREEMENT,)).fetchone()[0]
    finally:
        con.close()
    return ended, rows


async def test_a_restored_slice_applies_the_ending_it_missed(run, tmp_path):
    async def everyone_holds():  # the scorer and reidentify hold theirs once scored
        return all([await held(run, s) for s in SLICES])

    await eventually(everyone_holds, timeout=120, interval=0.5)
    backups = {s: tmp_path / "backups" / f"{s}.db" for s in SLICES}
    for service in SLICES:  # online, while each slice runs
        await asyncio.to_thread(command, run, service, "backup", "--to",
                                str(backups[service]))

    r = await call(run, "POST", "gateway", f"/v1/agreements/{AGREEMENT}/end")
    assert r.status_code == 200 and not r.json()["in_force"], r.text

    async def purged_everywhere():
        found = await endings(run)
        return (set(found) == set(SLICES)
                and not any([await held(run, s) for s in SLICES]))

    await eventually(purged_everywhere, timeout=60, interval=0.5)

    # the slices' disks are lost; each is restored from its backup, taken before the ending
    for service in SLICES:
        await asyncio.to_thread(run.fed.stop_service, service)
    for service in SLICES:
        await asyncio.to_thread(command, run, service, "restore", "--from",
                                str(backups[service]))
    for service in SLICES:  # the control: the agreement in force again, its data back
        ended, rows = await asyncio.to_thread(restored_state, run, service)
        assert ended is None and rows > 0, (service, ended, rows)

    for service in SLICES:
        run.fed.start_service(service)
    await asyncio.to_thread(run.fed.wait_ready, 120)  # /readyz: reconciled, then ready

    today = date.today().isoformat()
    for service in SLICES:  # ready means reconciled: nothing to wait for
        assert await ended_on(run, service) == today, service
        assert await held(run, service) == 0, service

    async def receipted_again():
        found = await endings(run)
        return found if all(len(found.get(s, [])) == 2 for s in SLICES) else None

    found = await eventually(receipted_again, timeout=30, interval=0.5)
    for service in SLICES:
        made = m.DeletionReceipt(**found[service][-1])
        assert made.removed[HELD[service][0]] > 0, (service, made.removed)
        key = signing.load_public_key(
            signing.public_key_path(run.fed.layout.events_key(service)))
        assert erasure.receipt_holds(made, key), service
