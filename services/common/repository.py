"""Query helpers every slice needs: IN-list chunking, the opt-out and agreements tables.

Each service keeps its own opt-out and agreement models (its own database and
migration; the linker's and the scorer's opt-outs made from ``OptOutMixin`` by
``tables.optouts``); these functions take the model, so the queries are written once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import BigInteger, Date, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.common import messages as m

OPT_OUT = "opt_out"
IN_CHUNK = 900  # keep IN lists well under every backend's parameter limit


def chunks(values: Iterable, size: int = IN_CHUNK) -> list[list]:
    items = list(values)
    return [items[i:i + size] for i in range(0, len(items), size)]


class OptOutMixin:
    """The latest effective consent decision applied for one person and scope: the person
    is opted out while its status is ``opt_out``. A lifted opt-out keeps its row, so a
    decision with a smaller sequence, applied after it, is known to be older."""

    __tablename__ = "optouts"
    person: Mapped[str] = mapped_column(String(100), primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=OPT_OUT)
    decided_on: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(BigInteger, default=0)


async def optouts_of(session: AsyncSession, model, persons: Iterable[str]
                     ) -> dict[str, set[str]]:
    """Person -> the scopes they are opted out of."""
    out: dict[str, set[str]] = {}
    for part in chunks({p for p in persons if p}):
        rows = await session.execute(select(model.person, model.scope)
                                     .where(model.person.in_(part), model.status == OPT_OUT))
        for person, scope in rows:
            out.setdefault(person, set()).add(scope)
    return out


async def apply_decision(session: AsyncSession, model, decision: m.ConsentDecision,
                         **values) -> bool:
    """Keep an effective decision as its person's and scope's latest, unless one with a
    larger sequence is kept already (two processes may apply two decisions in either
    order); returns whether it was kept. `values`: the model's further columns."""
    row = await session.get(model, (decision.person, decision.scope))
    if row is not None and row.sequence > decision.sequence:
        return False
    kept = {"status": decision.status, "decided_on": decision.decided_on,
            "sequence": decision.sequence, **values}
    if row is None:
        session.add(model(person=decision.person, scope=decision.scope, **kept))
    else:
        for name, value in kept.items():
            setattr(row, name, value)
    await session.flush()
    return True


async def ended_agreements(session: AsyncSession, model) -> set[str]:
    """The agreements that have ended."""
    rows = await session.execute(select(model.agreement).where(model.ended_on.is_not(None)))
    return set(rows.scalars())


async def retention_periods(session: AsyncSession, model) -> list[tuple[str, str]]:
    """(agreement, retention period as stored) of the agreements that have one."""
    rows = await session.execute(select(model.agreement, model.retention)
                                 .where(model.retention.is_not(None)))
    return [(agreement, retention) for agreement, retention in rows]


async def all_agreements(session: AsyncSession, model) -> list:
    """Every agreement row, by id."""
    return list((await session.execute(select(model).order_by(model.agreement))).scalars())
