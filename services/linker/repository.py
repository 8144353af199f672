"""Every query of the linker. Set-based: one statement per batch, never one per row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete, distinct, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import repository as shared
from services.common.repository import chunks
from services.linker.models import Assignment, Event, OptOut, WriteLock


async def serialize(session: AsyncSession) -> None:
    """Take the write lock (held until this transaction ends) before reading anything."""
    result = await session.execute(
        update(WriteLock).where(WriteLock.id == 1).values(counter=WriteLock.counter + 1))
    if not result.rowcount:
        session.add(WriteLock(id=1, counter=1))
        await session.flush()


# --- events -----------------------------------------------------------------------------


async def existing_event_tokens(session: AsyncSession, tokens: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for part in chunks(set(tokens)):
        found.update((await session.execute(
            select(Event.event_token).where(Event.event_token.in_(part)))).scalars())
    return found


async def insert_events(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(insert(Event), rows)


async def delete_events_of_tokens(session: AsyncSession, tokens: Iterable[str],
                                  partner: str | None = None) -> int:
    total = 0
    for part in chunks(set(tokens)):
        stmt = delete(Event).where(Event.record_token.in_(part))
        if partner is not None:
            stmt = stmt.where(Event.partner == partner)
        total += (await session.execute(stmt)).rowcount or 0
    return total


async def delete_events_of_person(session: AsyncSession, person: str,
                                  partner: str | None = None) -> int:
    tokens = select(Assignment.record_token).where(Assignment.person == person)
    stmt = delete(Event).where(Event.record_token.in_(tokens))
    if partner is not None:
        stmt = stmt.where(Event.partner == partner)
    return (await session.execute(stmt)).rowcount or 0


async def tokens_with_events(session: AsyncSession, tokens: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for part in chunks(set(tokens)):
        found.update((await session.execute(
            select(Event.record_token).distinct().where(Event.record_token.in_(part))
        )).scalars())
    return found


# --- assignments ------------------------------------------------------------------------


async def assignments_of(session: AsyncSession, tokens: Iterable[str]) -> dict[str, Assignment]:
    out: dict[str, Assignment] = {}
    for part in chunks(set(tokens)):
        rows = (await session.execute(
            select(Assignment).where(Assignment.record_token.in_(part)))).scalars()
        out.update({a.record_token: a for a in rows})
    return out


async def insert_assignments(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(insert(Assignment), rows)


async def update_assignments(session: AsyncSession, rows: list[dict]) -> None:
    """ORM bulk update by primary key (one executemany)."""
    if rows:
        await session.execute(update(Assignment), rows)


async def households_of_person(session: AsyncSession, person: str) -> set[str]:
    rows = await session.execute(
        select(Assignment.household).distinct().where(
            Assignment.person == person, Assignment.household.is_not(None)))
    return set(rows.scalars())


# --- opt-outs ---------------------------------------------------------------------------


async def optouts_of(session: AsyncSession, persons: Iterable[str]) -> dict[str, set[str]]:
    return await shared.optouts_of(session, OptOut, persons)


async def add_optout(session: AsyncSession, person: str, scope: str, decided_on: date) -> None:
    await shared.add_optout(session, OptOut, person, scope, decided_on)


async def remove_optout(session: AsyncSession, person: str, scope: str) -> None:
    await shared.remove_optout(session, OptOut, person, scope)


# --- profiles ---------------------------------------------------------------------------


async def profile_events(session: AsyncSession, level: str,
                         pseudonyms: Iterable[str]) -> list[tuple[str, str, date]]:
    """(pseudonym, code, occurred_on) for person or household pseudonyms."""
    column = Assignment.person if level == "person" else Assignment.household
    out: list[tuple[str, str, date]] = []
    for part in chunks(set(pseudonyms)):
        stmt = (select(column, Event.code, Event.occurred_on)
                .join(Assignment, Assignment.record_token == Event.record_token)
                .where(column.in_(part), Assignment.withheld.is_(False)))
        if level == "person":
            stmt = stmt.where(Assignment.level == "person")
        out.extend(tuple(r) for r in await session.execute(stmt))
    return out


async def pseudonyms_with_events(session: AsyncSession, level: str) -> set[str]:
    """Every person or household pseudonym that has at least one kept event."""
    column = Assignment.person if level == "person" else Assignment.household
    stmt = (select(column).distinct()
            .join(Event, Event.record_token == Assignment.record_token)
            .where(column.is_not(None), Assignment.withheld.is_(False)))
    if level == "person":
        stmt = stmt.where(Assignment.level == "person")
    return set((await session.execute(stmt)).scalars())


async def latest_areas(session: AsyncSession, level: str,
                       pseudonyms: Iterable[str]) -> dict[str, str | None]:
    """Each pseudonym's area from its most recently received assignment."""
    column = Assignment.person if level == "person" else Assignment.household
    best: dict[str, tuple] = {}
    for part in chunks(set(pseudonyms)):
        rows = await session.execute(
            select(column, Assignment.area, Assignment.assigned_at, Assignment.version)
            .where(column.in_(part), Assignment.withheld.is_(False)))
        for pseudonym, area, at, version in rows:
            key = (at, version)
            if pseudonym not in best or key > best[pseudonym][0]:
                best[pseudonym] = (key, area)
    return {p: v[1] for p, v in best.items()}


# --- aggregates -------------------------------------------------------------------------


async def demand_by_area(session: AsyncSession) -> list[tuple[str | None, str, int, int]]:
    """(area, dataset, events, distinct persons) over assigned, non-withheld events."""
    stmt = (select(Assignment.area, Event.dataset, func.count(Event.event_token),
                   func.count(distinct(Assignment.person)))
            .join(Assignment, Assignment.record_token == Event.record_token)
            .where(Assignment.withheld.is_(False))
            .group_by(Assignment.area, Event.dataset)
            .order_by(Assignment.area, Event.dataset))
    return [tuple(r) for r in await session.execute(stmt)]


async def events_per_person(session: AsyncSession) -> list[int]:
    """Event counts per person (counts only, no pseudonyms), largest first."""
    n = func.count(Event.event_token).label("n")
    stmt = (select(n)
            .join(Assignment, Assignment.record_token == Event.record_token)
            .where(Assignment.withheld.is_(False), Assignment.person.is_not(None),
                   Assignment.level == "person")
            .group_by(Assignment.person)
            .order_by(n.desc()))
    return list((await session.execute(stmt)).scalars())

