"""Reidentify under data-sharing agreements: flags carry their agreements; purposes limit unlocks.

Each flag keeps the agreements that supplied the flagged data (as the scorer says). An
unlock is refused (403, reason "purpose") unless every one of those agreements is known,
not ended, and names the purpose (checked in memory: ``PolicyState.purpose_covered``).
Flags of an ended agreement go at once; the sweep deletes a flag last updated longer ago
than one of its agreements' retention periods.
The access log is never swept: it is the record of who saw what.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import bus, erasure
from services.common import messages as m
from services.common import retention as common
from services.common.runtime import Runtime
from services.reidentify import repository as repo
from services.reidentify.models import Agreement, FlagRow
from services.reidentify.policy import PolicyState, after_commit

log = logging.getLogger("tessera.reidentify")


async def tag(session: AsyncSession, batch: m.FlagBatch) -> int:
    """Store the flags' agreements (a flag naming none keeps what it had); delete flags of
    ended agreements. Returns how many were deleted."""
    groups: dict[tuple[str, str], list[str]] = {}
    for f in batch.flags:
        packed = common.pack(f.agreements)
        if packed:
            groups.setdefault((f.rule_id, packed), []).append(f.pseudonym)
    for (rule_id, packed), names in groups.items():
        await repo.set_flag_agreements(session, rule_id, names, packed)
    gone = await common.ended(session, Agreement)
    if not gone:
        return 0
    return await repo.delete_flags_under(session, [f.pseudonym for f in batch.flags],
                                         sorted(gone))


class Retention:
    def __init__(self, rt: Runtime, clock: Callable[[], datetime], state: PolicyState):
        self.rt = rt
        self.clock = clock
        self.state = state  # told of every change to agreements and flags, after commit

    async def notice(self, session: AsyncSession, message: m.AgreementNotice,
                     delivery: bus.Delivery) -> None:
        stored = await common.store_notice(session, Agreement, message)
        if not stored.changed:
            return
        agreement, purposes = message.agreement, list(message.purposes)
        after_commit(session, lambda: self.state.put_agreement(agreement, purposes,
                                                               stored.ended))
        if stored.ended:
            keys = await repo.delete_flags_where(
                session, common.holds(FlagRow.agreements, agreement))
            after_commit(session, lambda: self.state.drop_flags(keys))
            log.info("agreement %s ended: %d flags deleted", agreement, len(keys))
            await erasure.agreement_ended(self.rt, session, agreement, {"flags": len(keys)})

    async def sweep(self, as_of: datetime | None = None) -> int:
        now = as_of or self.clock()
        async with self.rt.sessionmaker() as session, session.begin():
            condition = await common.expired(
                session, Agreement, now,
                held_under=lambda a: common.holds(FlagRow.agreements, a),
                received=FlagRow.updated_at)
            if condition is None:
                return 0
            keys = await repo.delete_flags_where(session, condition)
            after_commit(session, lambda: self.state.drop_flags(keys))
            await erasure.swept(self.rt, session, Agreement, now, {"flags": len(keys)})
        deleted = len(keys)
        if deleted:
            log.info("retention sweep: %d flags deleted", deleted)
        return deleted

    async def holdings(self, session: AsyncSession, agreement: str) -> dict[str, int]:
        n, active = await repo.holdings_of(session, agreement)
        return {"flags": int(n), "active_flags": int(active)}

    async def subject(self, session: AsyncSession, pseudonym: str) -> dict:
        flags = await repo.flags_of_pseudonym(session, pseudonym)
        log_rows = await repo.log_of_pseudonym(session, pseudonym)
        return {
            "flags": [{"rule_id": f.rule_id, "level": f.level, "active": f.active,
                       "score": f.score, "indicators": f.indicators, "area": f.area,
                       "raised_at": f.raised_at, "agreements": common.unpack(f.agreements)}
                      for f in flags],
            "accesses": [{"seq": e.seq, "at": e.at, "sub": e.sub, "org": e.org,
                          "purpose": e.purpose, "outcome": e.outcome, "reason": e.reason}
                         for e in log_rows],
        }
