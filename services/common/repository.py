"""Query helpers every slice needs: IN-list chunking, the opt-out and agreements tables.

Each service keeps its own opt-out and agreement models (its own database and
migration); these functions take the model, so the queries are written once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

IN_CHUNK = 900  # keep IN lists well under every backend's parameter limit


def chunks(values: Iterable, size: int = IN_CHUNK) -> list[list]:
    items = list(values)
    return [items[i:i + size] for i in range(0, len(items), size)]


async def optouts_of(session: AsyncSession, model, persons: Iterable[str]
                     ) -> dict[str, set[str]]:
    """Person -> the scopes of their stored opt-outs."""
    out: dict[str, set[str]] = {}
    for part in chunks({p for p in persons if p}):
        rows = await session.execute(select(model.person, model.scope)
                                     .where(model.person.in_(part)))
        for person, scope in rows:
            out.setdefault(person, set()).add(scope)
    return out


async def add_optout(session: AsyncSession, model, person: str, scope: str,
                     decided_on: date) -> None:
    row = await session.get(model, (person, scope))
    if row is None:
        session.add(model(person=person, scope=scope, decided_on=decided_on))
    else:
        row.decided_on = decided_on
    await session.flush()


async def remove_optout(session: AsyncSession, model, person: str, scope: str) -> None:
    await session.execute(delete(model).where(model.person == person, model.scope == scope))


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
