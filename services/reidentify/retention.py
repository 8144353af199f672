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

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import bus
from services.common import messages as m
from services.common import retention as common
from services.common.repository import chunks
from services.common.runtime import Runtime
from services.reidentify.models import AccessEntry, Agreement, FlagRow
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
        for part in chunks(set(names)):
            await session.execute(update(FlagRow).where(
                FlagRow.rule_id == rule_id, FlagRow.pseudonym.in_(part)
            ).values(agreements=packed))
    gone = await common.ended(session, Agreement)
    deleted = 0
    if gone:
        ended_any = or_(*(common.holds(FlagRow.agreements, a) for a in sorted(gone)))
        for part in chunks({f.pseudonym for f in batch.flags}):
            deleted += (await session.execute(delete(FlagRow).where(
                FlagRow.pseudonym.in_(part), ended_any))).rowcount or 0
    return deleted


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
            keys = (await session.execute(delete(FlagRow).where(
                common.holds(FlagRow.agreements, agreement)).returning(
                    FlagRow.pseudonym, FlagRow.rule_id))).all()
            after_commit(session, lambda: self.state.drop_flags(keys))
            log.info("agreement %s ended: %d flags deleted", agreement, len(keys))

    async def sweep(self, as_of: datetime | None = None) -> int:
        now = as_of or self.clock()
        async with self.rt.sessionmaker() as session, session.begin():
            condition = await common.expired(
                session, Agreement, now,
                held_under=lambda a: common.holds(FlagRow.agreements, a),
                received=FlagRow.updated_at)
            if condition is None:
                return 0
            keys = (await session.execute(delete(FlagRow).where(condition).returning(
                FlagRow.pseudonym, FlagRow.rule_id))).all()
            after_commit(session, lambda: self.state.drop_flags(keys))
        deleted = len(keys)
        if deleted:
            log.info("retention sweep: %d flags deleted", deleted)
        return deleted

    async def holdings(self, session: AsyncSession, agreement: str) -> dict[str, int]:
        n, active = (await session.execute(select(
            func.count(), func.coalesce(func.sum(case((FlagRow.active, 1), else_=0)), 0))
            .where(common.holds(FlagRow.agreements, agreement)))).one()
        return {"flags": int(n), "active_flags": int(active)}

    async def subject(self, session: AsyncSession, pseudonym: str) -> dict:
        flags = (await session.execute(select(FlagRow).where(
            FlagRow.pseudonym == pseudonym).order_by(FlagRow.rule_id))).scalars()
        log_rows = (await session.execute(select(AccessEntry).where(
            AccessEntry.pseudonym == pseudonym).order_by(AccessEntry.seq))).scalars()
        return {
            "flags": [{"rule_id": f.rule_id, "level": f.level, "active": f.active,
                       "score": f.score, "indicators": f.indicators, "area": f.area,
                       "raised_at": f.raised_at, "agreements": common.unpack(f.agreements)}
                      for f in flags],
            "accesses": [{"seq": e.seq, "at": e.at, "sub": e.sub, "org": e.org,
                          "purpose": e.purpose, "outcome": e.outcome, "reason": e.reason}
                         for e in log_rows],
        }
