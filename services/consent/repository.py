"""Every query consent makes."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.consent.models import ConsentRequestRow, Decision, PairingLock, Resolution


async def serialise(session: AsyncSession) -> None:
    """Take the pairing lock: the first write of the transaction, held until it ends."""
    await session.execute(
        update(PairingLock).where(PairingLock.id == 1).values(n=PairingLock.n + 1)
    )


async def take_sequences(session: AsyncSession, count: int) -> int:
    """Reserve `count` sequence numbers from the pairing lock's counter (held by this
    transaction, so every transaction's numbers follow the last one's); returns the
    first."""
    await session.execute(
        update(PairingLock).where(PairingLock.id == 1).values(n=PairingLock.n + count))
    last = (await session.execute(select(PairingLock.n).where(PairingLock.id == 1))).scalar_one()
    return last - count + 1


async def chunk_seen(session: AsyncSession, batch_id: str, chunk: int) -> bool:
    result = await session.execute(select(exists().where(
        ConsentRequestRow.batch_id == batch_id, ConsentRequestRow.chunk == chunk)))
    return bool(result.scalar())


async def insert_requests(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(insert(ConsentRequestRow), rows)


async def resolutions_for(session: AsyncSession,
                          tokens: Iterable[str]) -> dict[str, Resolution]:
    tokens = list(set(tokens))
    if not tokens:
        return {}
    result = await session.execute(select(Resolution).where(Resolution.record_token.in_(tokens)))
    return {r.record_token: r for r in result.scalars()}


async def upsert_resolution(session: AsyncSession, record_token: str, person: str,
                            household: str | None) -> None:
    row = await session.get(Resolution, record_token)
    if row is None:
        session.add(Resolution(record_token=record_token, person=person, household=household))
        return
    row.person, row.household, row.updated_at = person, household, utcnow()


async def pending_requests(session: AsyncSession, record_token: str) -> list[ConsentRequestRow]:
    result = await session.execute(
        select(ConsentRequestRow)
        .where(ConsentRequestRow.record_token == record_token,
               ConsentRequestRow.resolved.is_(False))
        .order_by(ConsentRequestRow.id)
    )
    return list(result.scalars())


async def mark_resolved(session: AsyncSession, ids: list[int]) -> None:
    if ids:
        await session.execute(
            update(ConsentRequestRow).where(ConsentRequestRow.id.in_(ids)).values(resolved=True)
        )


def _order():
    return (Decision.decided_on, Decision.recorded_at, Decision.id)


async def latest_decisions(session: AsyncSession,
                           persons: Iterable[str]) -> dict[tuple[str, str], Decision]:
    """The winning decision per (person, scope) for these persons."""
    persons = list(set(persons))
    if not persons:
        return {}
    result = await session.execute(
        select(Decision).where(Decision.person.in_(persons)).order_by(*_order())
    )
    return {(d.person, d.scope): d for d in result.scalars()}


async def add_decisions(session: AsyncSession, decisions: list[Decision]) -> None:
    session.add_all(decisions)
    await session.flush()


async def decisions_for(session: AsyncSession, person: str) -> list[Decision]:
    result = await session.execute(
        select(Decision).where(Decision.person == person).order_by(*_order())
    )
    return list(result.scalars())


async def household_of(session: AsyncSession, person: str) -> str | None:
    result = await session.execute(
        select(Resolution.household)
        .where(Resolution.person == person, Resolution.household.is_not(None))
        .order_by(Resolution.updated_at.desc()).limit(1)
    )
    return result.scalar_one_or_none()
