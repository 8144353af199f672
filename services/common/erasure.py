"""Data that must die, dies: dead letters erased with the data they carried, and a
signed receipt of what each slice removed.

A dead letter is a message a slice could not apply, kept whole on its dead-letter
stream for operators; identity rows included. When an agreement ends, or its retention
runs out, the slice's own deletion now also erases every dead letter carrying that
agreement's data (JetStream overwrites an erased message in its store), and writes a
``DeletionReceipt``: what was removed, by kind, signed with the slice's events key. The
gateway keeps the receipts (``GET /v1/agreements/{id}/receipts``), a record a DPO can
show that the data went.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

from nats.js.errors import NotFoundError
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.common import signing, subjects
from services.common.chain import canonical

log = logging.getLogger("tessera.erasure")
_sending: set[asyncio.Task] = set()  # receipts on their way (a task needs a reference)

Doomed = Callable[[set[str], datetime], bool]
"""Whether a dead letter goes, from the agreements its payload names and when it died."""


def agreements_in(payload: Any, depth: int = 0) -> set[str]:
    """Every agreement a message names (``agreement``, ``agreements``), in it or in its
    items, as far as three levels down."""
    found: set[str] = set()
    if depth > 3:
        return found
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key == "agreement" and isinstance(value, str):
                found.add(value)
            elif key == "agreements" and isinstance(value, list):
                found.update(v for v in value if isinstance(v, str))
            elif isinstance(value, dict | list):
                found |= agreements_in(value, depth + 1)
    elif isinstance(payload, list):
        for item in payload:
            found |= agreements_in(item, depth + 1)
    return found


async def purge_dead_letters(js, service: str, doomed: Doomed) -> int:
    """Erase the service's dead letters that ``doomed`` names; returns how many."""
    stream = subjects.deadletter_stream(service)
    try:
        info = await js.stream_info(stream)
    except NotFoundError:
        return 0
    erased = 0
    if not info.state.messages:
        return 0
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            raw = await js.get_msg(stream, seq)
        except NotFoundError:
            continue  # erased before, or never there
        try:
            names = agreements_in(json.loads(raw.data or b"null"))
        except ValueError:
            names = set()
        if names and doomed(names, raw.time or datetime.now(UTC)):
            await js.delete_msg(stream, seq)  # erase: overwritten in the store, not only unlinked
            erased += 1
    if erased:
        log.info("%d dead letters erased", erased)
    return erased


def ended_or_expired(ended: set[str], cutoffs: dict[str, datetime]) -> Doomed:
    """A dead letter goes when any agreement it carries has ended, or when it died
    before the retention cut-off of one of them."""
    def doomed(names: set[str], when: datetime) -> bool:
        return bool(names & ended) or any(when < cutoffs[a] for a in names if a in cutoffs)
    return doomed


def receipt(signer: signing.Signer, service: str,
            reason: Literal["agreement-ended", "retention"], agreement: str | None,
            removed: dict[str, int]) -> m.DeletionReceipt:
    fields = {"receipt_id": str(uuid.uuid4()), "service": service, "reason": reason,
              "agreement": agreement, "at": datetime.now(UTC).isoformat(),
              "removed": dict(sorted(removed.items()))}
    sig = signer.sign(canonical(fields).encode())
    return m.DeletionReceipt(**fields, kid=signer.kid, sig=signing.b64(sig))


def receipt_holds(r: m.DeletionReceipt, key) -> bool:
    """Whether a receipt's signature holds under ``key`` (the slice's events public key)."""
    fields = r.model_dump(exclude={"kid", "sig"})
    return signing.verify(key, signing.unb64(r.sig), canonical(fields).encode())


async def issue(rt, session: AsyncSession, reason: Literal["agreement-ended", "retention"],
                agreement: str | None, removed: dict[str, int]) -> m.DeletionReceipt:
    """Sign a receipt and send it to the gateway with the deletion's transaction (the
    outbox), or, for a slice without one, once that transaction has committed; the
    security log records it too."""
    security = rt.security
    made = receipt(security.signer, rt.service, reason, agreement, removed)
    if rt.outbox is not None:
        rt.outbox.add(session, subjects.RECEIPTS, made)
    else:
        def send(_session) -> None:
            task = asyncio.get_running_loop().create_task(_publish(rt, made))
            _sending.add(task)
            task.add_done_callback(_sending.discard)

        event.listen(session.sync_session, "after_commit", send, once=True)
    security.log.record("change", "success", f"delete: {reason}", agreement=agreement,
                        target=f"agreement={agreement}" if agreement else None,
                        detail=",".join(f"{k}={v}" for k, v in made.removed.items()))
    return made


async def _publish(rt, made: m.DeletionReceipt) -> None:
    try:
        await rt.bus.publish(subjects.RECEIPTS, made, msg_id=f"receipt-{made.receipt_id}")
    except Exception as exc:  # the security log keeps the deletion; the receipt is lost
        log.error("deletion receipt %s not sent (%s)", made.receipt_id, type(exc).__name__)


async def agreement_ended(rt, session: AsyncSession, agreement: str,
                          removed: dict[str, int]) -> m.DeletionReceipt:
    """After a slice has deleted an ended agreement's rows (``removed``, by kind): its
    dead letters erased, and the receipt."""
    dead = await purge_dead_letters(rt.js, rt.service, ended_or_expired({agreement}, {}))
    return await issue(rt, session, "agreement-ended", agreement,
                       {**removed, "dead_letters": dead})


async def swept(rt, session: AsyncSession, agreement_model, now: datetime,
                removed: dict[str, int]) -> m.DeletionReceipt | None:
    """After a retention sweep: dead letters past their agreement's retention (or of an
    ended one) erased, and a receipt when anything went."""
    from services.common.retention import cutoffs, ended

    doomed = ended_or_expired(await ended(session, agreement_model),
                              await cutoffs(session, agreement_model, now))
    dead = await purge_dead_letters(rt.js, rt.service, doomed)
    if not dead and not any(removed.values()):
        return None
    return await issue(rt, session, "retention", None, {**removed, "dead_letters": dead})
