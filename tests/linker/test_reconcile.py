"""A slice reconciles its agreements with the gateway's registry before it reports ready:
not ready while the registry does not answer, and saying why; then every revision it
lacks is applied as a live notice would be, an ending included (its data purged, a signed
receipt sent), even though that notice never reaches it on the agreements stream, and
what has outlived its retention is swept. An ending applies even under a revision number
the slice has seen (a gateway restored from an older backup numbers again), and an
agreement the registry has never heard of is kept, with a warning naming it."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import date

from services.common import erasure, signing, subjects
from services.common import messages as m
from services.common.reconcile import Reconciler
from services.common.state import state_of
from services.linker.models import Agreement
from tests.linker.conftest import new, running_linker
from tests.support import StandInRegistry, close, eventually, send

D = date(2026, 4, 1)


def notice(agreement: str, revision: int, ended_on: date | None = None,
           retention: str = "P2Y", purposes=("early-help-triage",)) -> m.AgreementNotice:
    return m.AgreementNotice(agreement=agreement, revision=revision,
                             datasets=["gp-p81001"], purposes=list(purposes),
                             retention=retention, valid_from=date(2026, 1, 1),
                             ended_on=ended_on)


async def events(gateway, agreement: str, token: str, *codes: str) -> None:
    await send(gateway, subjects.EVENTS.for_dataset("gp-p81001"), m.EventBatch(
        batch_id=uuid.uuid4().hex, chunk=0, partner="gp-p81001", dataset="gp-p81001",
        level="person", agreement=agreement,
        events=[m.EventRow(record_token=token, event_token=uuid.uuid4().hex, code=c,
                           occurred_on=D) for c in codes]))


async def readiness(harness) -> tuple[dict, dict]:
    r = await harness.client.get("/readyz")
    body = r.json()
    return {"status": r.status_code, **body["checks"]}, body.get("waiting_for", {})


async def ready(harness) -> dict:
    return (await readiness(harness))[0]


async def known(harness) -> dict[str, dict]:
    token = harness.nats_env.token("linker", roles=["auditor"])
    r = await harness.client.get("/v1/agreements",
                                 headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return {a["agreement"]: a for a in r.json()}


def receipts_taken(receipts, made: list[m.DeletionReceipt], count: int):
    """A check that takes the gateway's receipts into ``made`` until it holds ``count``."""

    async def check():
        try:
            msgs = await receipts.fetch(10, timeout=0.5)
        except TimeoutError:
            msgs = []
        for msg in msgs:
            made.append(m.DeletionReceipt.model_validate_json(msg.data))
            await msg.ack()
        return len(made) >= count

    return check


async def test_not_ready_until_reconciled_then_endings_and_sweeps_missed_apply(
        nats_env, tmp_path, caplog):
    url = f"sqlite+aiosqlite:///{tmp_path / 'linker.db'}"
    agreement, token = new("isa"), new("rt")
    shorter, kept = new("isa"), new("rt")  # an agreement whose retention is cut short
    renumbered, its_token = new("isa"), new("rt")  # ended under a revision number reused
    orphan, orphans = new("isa"), new("rt")  # held, then unknown to the registry
    gateway = await nats_env.bus("gateway")
    registry = StandInRegistry(gateway, [notice(a, 1)
                                         for a in (agreement, shorter, renumbered, orphan)])
    receipts = await gateway.js.pull_subscribe_bind(durable="gateway",
                                                    stream=subjects.RECEIPTS.stream)
    key = signing.load_public_key(
        signing.public_key_path(nats_env.layout.events_key("linker")))
    try:
        async with running_linker(nats_env, url) as linker:
            # no registry answers: the slice runs but says it is not ready, and why
            checks, why = await readiness(linker)
            assert checks == {"status": 503, "database": True, "nats": True,
                              "agreements": False}
            assert why == {"agreements": "not reconciled with the gateway's registry: "
                           f"no gateway answers on {subjects.AGREEMENT_STATE.subject}"}

            async def reconciled():
                return (await ready(linker))["status"] == 200

            await registry.start()  # asked again with backoff: applied, then ready
            await eventually(reconciled, timeout=10)
            assert (await known(linker))[agreement]["revision"] == 1
            await events(gateway, agreement, token, "GP1", "GP2")
            await events(gateway, shorter, kept, "GP3")
            await events(gateway, renumbered, its_token, "GP4")
            await events(gateway, orphan, orphans, "GP5")
            for held in (token, kept, its_token, orphans):
                await eventually(lambda held=held: linker.stored_events(held))
            # paged: eight agreements, three a page, in id order
            others = [notice(f"{agreement}-{i}", 1) for i in range(4)]
            registry.notices += others
            asked = registry.asked
            paged = Reconciler(state_of(linker.app).rt, Agreement, None, None, page=3)
            assert [n.agreement for n in await paged.registry()] == sorted(
                n.agreement for n in registry.notices)
            assert registry.asked - asked == 3

        # while the slice was away the agreement ended, and the notice is not on the stream
        # for it (as for a slice restored from a backup taken before the ending); the other
        # agreement's retention is cut to a second, which its events have outlived; one
        # changed its purposes; and the registry no longer knows the orphan
        registry.notices = [notice(agreement, 2, ended_on=D),
                            notice(shorter, 2, retention="PT1S"),
                            notice(renumbered, 2, purposes=["early-help-evaluation"])]
        await asyncio.sleep(1.1)
        async with running_linker(nats_env, url) as linker:
            assert (await ready(linker))["status"] == 200  # reconciled before serving
            held = await known(linker)
            assert held[agreement]["ended_on"] == D.isoformat()
            assert held[shorter]["retention"] == "PT1S"
            assert held[renumbered]["purposes"] == ["early-help-evaluation"]
            assert await linker.stored_events(token) == []
            assert await linker.stored_events(kept) == []

            made: list[m.DeletionReceipt] = []
            await eventually(receipts_taken(receipts, made, 2), timeout=10)
            assert sorted((r.service, r.reason, r.agreement, r.removed["events"])
                          for r in made) == [("linker", "agreement-ended", agreement, 2),
                                             ("linker", "retention", None, 1)]
            assert all(erasure.receipt_holds(r, key) for r in made)

        # the gateway's database restored from a backup holding the renumbered agreement at
        # revision 1: ended there, it is at revision 2 again, which the slice holds in
        # force; the orphan is still unknown to the registry
        registry.notices = [notice(agreement, 2, ended_on=D),
                            notice(shorter, 2, retention="PT1S"),
                            notice(renumbered, 2, ended_on=D)]
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="tessera.reconcile"):
            async with running_linker(nats_env, url) as linker:
                assert (await ready(linker))["status"] == 200
                held = await known(linker)
                assert held[renumbered]["ended_on"] == D.isoformat()
                assert await linker.stored_events(its_token) == []
                # an agreement the registry has never heard of keeps its data and revision
                assert held[orphan]["ended_on"] is None and held[orphan]["revision"] == 1
                assert len(await linker.stored_events(orphans)) == 1

                made = []
                await eventually(receipts_taken(receipts, made, 1), timeout=10)
                await receipts_taken(receipts, made, 2)()  # the ended one is not re-ended
                assert [(r.reason, r.agreement, r.removed["events"]) for r in made] == [
                    ("agreement-ended", renumbered, 1)]
                assert erasure.receipt_holds(made[0], key)
        warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert [w for w in warned if orphan in w] == [
            f"agreement {orphan} is held here (revision 1) but the gateway's registry has "
            "never heard of it: is the gateway's database an older backup? Kept as held"]
    finally:
        await registry.stop()
        await close(gateway)
