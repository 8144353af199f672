"""A slice reconciles its agreements with the gateway's registry before it reports ready:
not ready while the registry does not answer; then every revision it lacks is applied as
a live notice would be, an ending included (its data purged, a signed receipt sent), even
though that notice never reaches it on the agreements stream, and what has outlived its
retention is swept."""

from __future__ import annotations

import asyncio
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
           retention: str = "P2Y") -> m.AgreementNotice:
    return m.AgreementNotice(agreement=agreement, revision=revision,
                             datasets=["gp-p81001"], purposes=["early-help-triage"],
                             retention=retention, valid_from=date(2026, 1, 1),
                             ended_on=ended_on)


async def events(gateway, agreement: str, token: str, *codes: str) -> None:
    await send(gateway, subjects.EVENTS.for_dataset("gp-p81001"), m.EventBatch(
        batch_id=uuid.uuid4().hex, chunk=0, partner="gp-p81001", dataset="gp-p81001",
        level="person", agreement=agreement,
        events=[m.EventRow(record_token=token, event_token=uuid.uuid4().hex, code=c,
                           occurred_on=D) for c in codes]))


async def ready(harness) -> dict:
    r = await harness.client.get("/readyz")
    return {"status": r.status_code, **r.json()["checks"]}


async def known(harness) -> dict[str, dict]:
    token = harness.nats_env.token("linker", roles=["auditor"])
    r = await harness.client.get("/v1/agreements",
                                 headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return {a["agreement"]: a for a in r.json()}


async def test_not_ready_until_reconciled_then_endings_and_sweeps_missed_apply(
        nats_env, tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'linker.db'}"
    agreement, token = new("isa"), new("rt")
    shorter, kept = new("isa"), new("rt")  # an agreement whose retention is cut short
    gateway = await nats_env.bus("gateway")
    registry = StandInRegistry(gateway, [notice(agreement, 1), notice(shorter, 1)])
    receipts = await gateway.js.pull_subscribe_bind(durable="gateway",
                                                    stream=subjects.RECEIPTS.stream)
    try:
        async with running_linker(nats_env, url) as linker:
            # no registry answers: the slice runs but says it is not ready, and why
            assert await ready(linker) == {"status": 503, "database": True, "nats": True,
                                           "agreements": False}

            async def reconciled():
                return (await ready(linker))["status"] == 200

            await registry.start()  # asked again with backoff: applied, then ready
            await eventually(reconciled, timeout=10)
            assert (await known(linker))[agreement]["revision"] == 1
            await events(gateway, agreement, token, "GP1", "GP2")
            await events(gateway, shorter, kept, "GP3")
            await eventually(lambda: linker.stored_events(token))
            await eventually(lambda: linker.stored_events(kept))
            # paged: six agreements, two a page, in id order
            others = [notice(f"{agreement}-{i}", 1) for i in range(4)]
            registry.notices += others
            asked = registry.asked
            paged = Reconciler(state_of(linker.app).rt, Agreement, None, None, page=2)
            assert [n.agreement for n in await paged.registry()] == sorted(
                n.agreement for n in registry.notices)
            assert registry.asked - asked == 4

        # while the slice was away the agreement ended, and the notice is not on the stream
        # for it (as for a slice restored from a backup taken before the ending); the other
        # agreement's retention is cut to a second, which its events have outlived
        registry.notices = [notice(agreement, 2, ended_on=D),
                            notice(shorter, 2, retention="PT1S")]
        await asyncio.sleep(1.1)
        async with running_linker(nats_env, url) as linker:
            assert (await ready(linker))["status"] == 200  # reconciled before serving
            assert (await known(linker))[agreement]["ended_on"] == D.isoformat()
            assert (await known(linker))[shorter]["retention"] == "PT1S"
            assert await linker.stored_events(token) == []
            assert await linker.stored_events(kept) == []

            made: list[m.DeletionReceipt] = []

            async def receipts_of_both():
                try:
                    msgs = await receipts.fetch(10, timeout=0.5)
                except TimeoutError:
                    msgs = []
                for msg in msgs:
                    made.append(m.DeletionReceipt.model_validate_json(msg.data))
                    await msg.ack()
                return len(made) >= 2

            await eventually(receipts_of_both, timeout=10)
            assert sorted((r.service, r.reason, r.agreement, r.removed["events"])
                          for r in made) == [("linker", "agreement-ended", agreement, 2),
                                             ("linker", "retention", None, 1)]
            key = signing.load_public_key(
                signing.public_key_path(nats_env.layout.events_key("linker")))
            assert all(erasure.receipt_holds(r, key) for r in made)
    finally:
        await registry.stop()
        await close(gateway)
