"""Every query of the linker. Set-based: one statement per batch, never one per row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import (
    String,
    cast,
    delete,
    distinct,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import db
from services.common import messages as m
from services.common import repository as shared
from services.common.db import utcnow
from services.common.repository import chunks
from services.linker.models import (
    AreaLookup,
    AreaPopulation,
    Assignment,
    CodeCategory,
    Event,
    OptOut,
    ProfileExport,
    ProfileMark,
    WriteLock,
)


async def serialize(session: AsyncSession) -> int:
    """Take the write lock (held until this transaction ends) before reading anything."""
    return await db.serialize(session, WriteLock)


async def committed_counter(session: AsyncSession) -> int:
    """The write lock's counter as last committed, without taking the lock."""
    return await db.lock_counter(session, WriteLock)


# --- events -----------------------------------------------------------------------------


async def existing_event_tokens(session: AsyncSession, tokens: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for part in chunks(set(tokens)):
        found.update((await session.execute(
            select(Event.event_token).where(Event.event_token.in_(part)))).scalars())
    return found


async def insert_events(session: AsyncSession, rows: list[dict]) -> None:
    """One executemany on the table (no ORM unit-of-work bookkeeping per row)."""
    if rows:
        await session.execute(insert(Event.__table__), rows)


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


ASSIGNMENT_COLUMNS = (Assignment.record_token, Assignment.level, Assignment.person,
                      Assignment.household, Assignment.withheld, Assignment.withheld_at,
                      Assignment.version)


async def assignments_of(session: AsyncSession, tokens: Iterable[str]) -> dict:
    """record token -> row (record_token, level, person, household, withheld, withheld_at,
    version)."""
    out: dict = {}
    for part in chunks(set(tokens)):
        rows = await session.execute(
            select(*ASSIGNMENT_COLUMNS).where(Assignment.record_token.in_(part)))
        out.update({a.record_token: a for a in rows})
    return out


async def insert_assignments(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(insert(Assignment), rows)


async def update_assignments(session: AsyncSession, rows: list[dict]) -> None:
    """ORM bulk update by primary key (one executemany)."""
    if rows:
        await session.execute(update(Assignment), rows)


async def withhold_person(session: AsyncSession, person: str, now: datetime) -> int:
    """Keep a person's records out of every profile and aggregate from now (their events
    stay until the sweep erases them); returns how many records."""
    result = await session.execute(
        update(Assignment).where(Assignment.person == person, Assignment.withheld.is_(False))
        .values(withheld=True, withheld_at=now).execution_options(synchronize_session=False))
    return result.rowcount or 0


async def release_person(session: AsyncSession, person: str) -> int:
    """The person's records back in their profiles (an opt-out of everything lifted)."""
    result = await session.execute(
        update(Assignment).where(Assignment.person == person, Assignment.withheld.is_(True))
        .values(withheld=False, withheld_at=None).execution_options(synchronize_session=False))
    return result.rowcount or 0


async def households_of_person(session: AsyncSession, person: str) -> set[str]:
    rows = await session.execute(
        select(Assignment.household).distinct().where(
            Assignment.person == person, Assignment.household.is_not(None)))
    return set(rows.scalars())


# --- opt-outs ---------------------------------------------------------------------------


async def optouts_of(session: AsyncSession, persons: Iterable[str]) -> dict[str, set[str]]:
    return await shared.optouts_of(session, OptOut, persons)


async def apply_decision(session: AsyncSession, decision: m.ConsentDecision) -> bool:
    """Keep the decision unless a later one is kept; returns whether it was kept."""
    return await shared.apply_decision(session, OptOut, decision)


# --- profiles ---------------------------------------------------------------------------


async def profile_events(session: AsyncSession, level: str,
                         pseudonyms: Iterable[str]) -> list[tuple[str, str, str, date]]:
    """(pseudonym, dataset, code, occurred_on) for person or household pseudonyms."""
    column = Assignment.person if level == "person" else Assignment.household
    out: list[tuple[str, str, str, date]] = []
    for part in chunks(set(pseudonyms)):
        stmt = (select(column, Event.dataset, Event.code, Event.occurred_on)
                .join(Assignment, Assignment.record_token == Event.record_token)
                .where(column.in_(part), Assignment.withheld.is_(False)))
        if level == "person":
            stmt = stmt.where(Assignment.level == "person")
        out.extend(tuple(r) for r in await session.execute(stmt))
    return out


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


# --- profile marks ----------------------------------------------------------------------


async def mark(session: AsyncSession, level: str, pseudonyms: Iterable[str],
               must: Iterable[str], seq: int) -> None:
    """Mark profiles to publish (set-based: one read, one insert, at most two updates)."""
    must = set(must)
    wanted = set(pseudonyms) | must
    for part in chunks(wanted):
        known = set((await session.execute(select(ProfileMark.pseudonym).where(
            ProfileMark.level == level, ProfileMark.pseudonym.in_(part)))).scalars())
        fresh = [{"pseudonym": p, "level": level, "must": p in must, "seq": seq}
                 for p in part if p not in known]
        if fresh:
            await session.execute(insert(ProfileMark.__table__), fresh)
        for is_must in (False, True):
            again = [p for p in known if (p in must) == is_must]
            if again:
                values = {"seq": seq, "must": True} if is_must else {"seq": seq}
                await session.execute(update(ProfileMark).where(
                    ProfileMark.level == level, ProfileMark.pseudonym.in_(again)).values(**values))


async def mark_all(session: AsyncSession, level: str, seq: int) -> int:
    """Mark every person or household with a kept event in one INSERT ... SELECT."""
    column = Assignment.person if level == "person" else Assignment.household
    source = (select(column, literal(level), false(), literal(seq)).distinct()
              .join(Event, Event.record_token == Assignment.record_token)
              .where(column.is_not(None), Assignment.withheld.is_(False),
                     ~exists().where(ProfileMark.level == level,
                                     ProfileMark.pseudonym == column)))
    if level == "person":
        source = source.where(Assignment.level == "person")
    result = await session.execute(insert(ProfileMark.__table__).from_select(
        ["pseudonym", "level", "must", "seq"], source))
    return result.rowcount or 0


async def pending_marks(session: AsyncSession, limit: int) -> list[tuple[str, str, bool, int]]:
    """The oldest marks: (pseudonym, level, must, seq)."""
    rows = await session.execute(
        select(ProfileMark.pseudonym, ProfileMark.level, ProfileMark.must, ProfileMark.seq)
        .order_by(ProfileMark.seq).limit(limit))
    return [tuple(r) for r in rows]


async def claim_marks(session: AsyncSession, level: str, pseudonyms: Iterable[str],
                      upto: int) -> set[str]:
    """Remove the marks not set again since they were read (seq <= upto); returns which of
    the pseudonyms are still marked at all (removed now, or set again meanwhile). Call it
    holding the write lock."""
    present: set[str] = set()
    for part in chunks(set(pseudonyms)):
        present.update((await session.execute(select(ProfileMark.pseudonym).where(
            ProfileMark.level == level, ProfileMark.pseudonym.in_(part)))).scalars())
        await session.execute(delete(ProfileMark).where(
            ProfileMark.level == level, ProfileMark.pseudonym.in_(part),
            ProfileMark.seq <= upto))
    return present


async def count_marks(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(ProfileMark))).scalar_one()


# --- aggregates -------------------------------------------------------------------------


async def events_by_cell(session: AsyncSession) -> list[tuple[str | None, str, bool, int]]:
    """(area, dataset, person-level, events) over assigned, non-withheld events."""
    person_level = (Assignment.level == "person") & Assignment.person.is_not(None)
    stmt = (select(Assignment.area, Event.dataset, person_level, func.count(Event.event_token))
            .join(Assignment, Assignment.record_token == Event.record_token)
            .where(Assignment.withheld.is_(False))
            .group_by(Assignment.area, Event.dataset, person_level))
    return [(a, d, bool(p), n) for a, d, p, n in await session.execute(stmt)]


CELL = "\x1f"  # joins a person's area and dataset (neither holds a control character)
CELLS = "\x1e"  # joins one person's cells


async def persons_by_cells(session: AsyncSession
                           ) -> list[tuple[frozenset[tuple[str | None, str]], int]]:
    """How many persons have events in exactly each set of (area, dataset) cells: persons
    told apart only as far as the demand counts tell them apart, never by pseudonym."""
    pairs = (select(Assignment.person, func.coalesce(Assignment.area, "") + CELL + Event.dataset)
             .join(Event, Event.record_token == Assignment.record_token)
             .where(Assignment.withheld.is_(False), Assignment.person.is_not(None),
                    Assignment.level == "person")
             .distinct().subquery())
    person, cell = pairs.c
    per_person = (select(func.aggregate_strings(cell, CELLS).label("cells"))
                  .group_by(person).subquery())
    stmt = select(per_person.c.cells, func.count()).group_by(per_person.c.cells)
    out: dict[frozenset[tuple[str | None, str]], int] = {}
    for joined, n in await session.execute(stmt):
        key = frozenset((area or None, dataset) for area, dataset in
                        (c.split(CELL, 1) for c in joined.split(CELLS)))
        out[key] = out.get(key, 0) + n  # the same set aggregated in another order
    return list(out.items())


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



# --- area profiles ----------------------------------------------------------------------


async def replace_code_categories(session: AsyncSession, dataset: str, rows: list[dict]) -> None:
    await session.execute(delete(CodeCategory).where(CodeCategory.dataset == dataset))
    if rows:
        await session.execute(insert(CodeCategory.__table__), rows)


async def code_categories(session: AsyncSession) -> dict[tuple[str, str], tuple[str, str | None]]:
    rows = await session.execute(select(CodeCategory.dataset, CodeCategory.code,
                                        CodeCategory.category, CodeCategory.headline))
    return {(d, c): (cat, h) for d, c, cat, h in rows}


async def replace_area_lookup(session: AsyncSession, rows: list[dict]) -> None:
    await session.execute(delete(AreaLookup))
    for part in chunks(rows):
        await session.execute(insert(AreaLookup.__table__), part)


async def replace_population(session: AsyncSession, rows: list[dict]) -> None:
    await session.execute(delete(AreaPopulation))
    for part in chunks(rows):
        await session.execute(insert(AreaPopulation.__table__), part)


async def area_lookup(session: AsyncSession) -> list[AreaLookup]:
    return list((await session.execute(select(AreaLookup))).scalars())


async def area_population(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(AreaPopulation.lsoa, AreaPopulation.population))
    return {lsoa: n for lsoa, n in rows}


def _held():
    return Assignment.withheld.is_(False)


async def events_by_day(session: AsyncSession, start: date, end: date
                        ) -> list[tuple[str, str | None, str, str, date, int]]:
    """(whose, LSOA, dataset, code, day, events) of assigned, non-withheld events from
    `start` to `end`: whose is the person, or the household or record of a property."""
    whose = func.coalesce(Assignment.person, Assignment.household, Assignment.record_token)
    stmt = (select(whose, Assignment.lsoa, Event.dataset, Event.code, Event.occurred_on,
                   func.count(Event.event_token))
            .join(Assignment, Assignment.record_token == Event.record_token)
            .where(_held(), Event.occurred_on >= start, Event.occurred_on <= end)
            .group_by(whose, Assignment.lsoa, Event.dataset, Event.code, Event.occurred_on))
    return [tuple(r) for r in await session.execute(stmt)]


async def event_months(session: AsyncSession) -> tuple[date | None, date | None]:
    """The first and last day any held event happened on."""
    stmt = (select(func.min(Event.occurred_on), func.max(Event.occurred_on))
            .join(Assignment, Assignment.record_token == Event.record_token).where(_held()))
    first, last = (await session.execute(stmt)).one()
    return first, last


async def events_per_resident(session: AsyncSession) -> list[tuple[str | None, int]]:
    """(LSOA, events) of each person with person-level events (no pseudonyms)."""
    stmt = (select(func.min(Assignment.lsoa), func.count(Event.event_token))
            .join(Assignment, Assignment.record_token == Event.record_token)
            .where(_held(), Assignment.person.is_not(None), Assignment.level == "person")
            .group_by(Assignment.person))
    return [(a, n) for a, n in await session.execute(stmt)]


# --- bulk re-score exports --------------------------------------------------------------

SEP = "\x1f"  # joins a profile's codes and days in one aggregated string
PAIR = "\x1e"  # joins an event's dataset and code (neither may hold a control character)


def export_statement(level: str, after: str | None):
    """One row per pseudonym of the level, in pseudonym order (resuming after `after`):
    (pseudonym, events, codes, days, area, agreements, first agreement, last agreement).
    Codes ("dataset PAIR code") and days are aggregated in the same row order; days are
    ISO dates."""
    column = Assignment.person if level == "person" else Assignment.household
    stmt = (select(column, func.count(),
                   func.aggregate_strings(Event.dataset + PAIR + Event.code, SEP),
                   func.aggregate_strings(cast(Event.occurred_on, String), SEP),
                   func.min(Assignment.area), func.count(distinct(Event.agreement)),
                   func.min(Event.agreement), func.max(Event.agreement))
            .select_from(Event)
            .join(Assignment, Assignment.record_token == Event.record_token)
            .where(column.is_not(None), Assignment.withheld.is_(False))
            .group_by(column).order_by(column))
    if level == "person":
        stmt = stmt.where(Assignment.level == "person")
    if after is not None:
        stmt = stmt.where(column > after)
    return stmt


async def export_page(session: AsyncSession, level: str, after: str | None,
                      limit: int) -> list:
    """The next `limit` rows of export_statement after `after`."""
    return list((await session.execute(export_statement(level, after).limit(limit))).all())


async def area_conflicts(session: AsyncSession, level: str) -> set[str]:
    """Pseudonyms whose assignments name more than one area (movers): their area is the
    latest assignment's (latest_areas); every other pseudonym has one area."""
    column = Assignment.person if level == "person" else Assignment.household
    area = func.coalesce(Assignment.area, "")
    rows = await session.execute(
        select(column).where(column.is_not(None), Assignment.withheld.is_(False))
        .group_by(column).having(func.min(area) != func.max(area)))
    return set(rows.scalars())


async def agreements_of(session: AsyncSession, level: str,
                        pseudonyms: Iterable[str]) -> dict[str, set[str]]:
    column = Assignment.person if level == "person" else Assignment.household
    found: dict[str, set[str]] = {}
    for part in chunks(set(pseudonyms)):
        stmt = (select(column, Event.agreement).distinct()
                .join(Assignment, Assignment.record_token == Event.record_token)
                .where(column.in_(part), Event.agreement.is_not(None),
                       Assignment.withheld.is_(False)))
        if level == "person":
            stmt = stmt.where(Assignment.level == "person")
        for pseudonym, agreement in await session.execute(stmt):
            found.setdefault(pseudonym, set()).add(agreement)
    return found


async def add_exports(session: AsyncSession, request_id: str, levels: Iterable[str]) -> int:
    known = set((await session.execute(select(ProfileExport.level).where(
        ProfileExport.request_id == request_id))).scalars())
    fresh = [{"request_id": request_id, "level": lv, "next_chunk": 0, "after": None,
              "profiles": 0, "done": False, "requested_at": utcnow()}
             for lv in dict.fromkeys(levels) if lv not in known]
    if fresh:
        await session.execute(insert(ProfileExport.__table__), fresh)
    return len(fresh)


async def next_export(session: AsyncSession) -> ProfileExport | None:
    return (await session.execute(
        select(ProfileExport).where(ProfileExport.done.is_(False))
        .order_by(ProfileExport.requested_at, ProfileExport.request_id, ProfileExport.level)
        .limit(1))).scalar_one_or_none()


async def export_progress(session: AsyncSession, request_id: str, level: str, next_chunk: int,
                          after: str | None, profiles: int, done: bool) -> None:
    await session.execute(update(ProfileExport).where(
        ProfileExport.request_id == request_id, ProfileExport.level == level).values(
        next_chunk=next_chunk, after=after, profiles=profiles, done=done))


# --- agreements and retention -----------------------------------------------------------


async def tag_events(session: AsyncSession, tokens: list[str], agreement: str) -> None:
    """Give the events with these tokens that have no agreement yet this one."""
    for part in chunks(tokens):
        await session.execute(update(Event).where(
            Event.event_token.in_(part), Event.agreement.is_(None)
        ).values(agreement=agreement))


async def delete_tagged_events(session: AsyncSession, tokens: list[str], agreement: str) -> int:
    """Delete the events with these tokens held under the agreement; returns how many."""
    dropped = 0
    for part in chunks(tokens):
        dropped += (await session.execute(delete(Event).where(
            Event.event_token.in_(part), Event.agreement == agreement))).rowcount or 0
    return dropped


def sweep_condition(expired, withheld_before: datetime):
    """The events the sweep deletes: those `expired` matches (None: none), and those of
    records withheld (by an opt-out) before `withheld_before`."""
    objected = Event.record_token.in_(select(Assignment.record_token).where(
        Assignment.withheld.is_(True), Assignment.withheld_at < withheld_before))
    return objected if expired is None else or_(expired, objected)


async def assignments_of_events(session: AsyncSession, condition
                                ) -> list[tuple[str, str | None, str | None]]:
    """Distinct (level, person, household) of the assignments of the events matching
    `condition`."""
    rows = await session.execute(
        select(Assignment.level, Assignment.person, Assignment.household).distinct()
        .join(Event, Event.record_token == Assignment.record_token).where(condition))
    return [tuple(r) for r in rows]


async def delete_events_where(session: AsyncSession, condition) -> int:
    """Delete the events matching `condition`; returns how many."""
    return (await session.execute(delete(Event).where(condition))).rowcount or 0


async def holdings_of(session: AsyncSession, agreement: str) -> tuple[int, int, int, int]:
    """(events, distinct record tokens, persons, households) held under the agreement."""
    mine = Event.agreement == agreement
    events, tokens = (await session.execute(
        select(func.count(), func.count(distinct(Event.record_token))).where(mine))).one()
    persons = (await session.execute(
        select(func.count(distinct(Assignment.person)))
        .join(Event, Event.record_token == Assignment.record_token)
        .where(mine, Assignment.level == "person"))).scalar_one()
    households = (await session.execute(
        select(func.count(distinct(Assignment.household)))
        .join(Event, Event.record_token == Assignment.record_token)
        .where(mine))).scalar_one()
    return events, tokens, persons, households


async def person_events(session: AsyncSession, person: str) -> list[tuple]:
    """(partner, dataset, agreement, code, occurred_on, received_at) of every event of the
    person's records, withheld or not, by day and code."""
    tokens = select(Assignment.record_token).where(
        Assignment.person == person, Assignment.level == "person")
    rows = await session.execute(
        select(Event.partner, Event.dataset, Event.agreement, Event.code,
               Event.occurred_on, Event.received_at)
        .where(Event.record_token.in_(tokens))
        .order_by(Event.occurred_on, Event.code))
    return [tuple(r) for r in rows]


async def person_assignments(session: AsyncSession, person: str
                             ) -> list[tuple[str | None, str | None, bool]]:
    """(household, area, withheld) of the person's records not withheld."""
    return [tuple(r) for r in (await session.execute(
        select(Assignment.household, Assignment.area, Assignment.withheld)
        .where(Assignment.person == person, Assignment.withheld == false()))).all()]
