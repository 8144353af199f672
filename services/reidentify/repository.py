"""Every query reidentify makes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, or_, select, tuple_, update
from sqlalchemy import case as sql_case
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.common import messages as m
from services.common import repository as shared
from services.common.db import utcnow
from services.common.repository import chunks
from services.common.retention import holds
from services.reidentify.models import (
    AccessEntry,
    Agreement,
    FlagRow,
    OptOut,
    SubjectAccessCase,
)

SCAN_PAGE = 1000


# --- flags -------------------------------------------------------------------------


async def existing_flags(session: AsyncSession,
                         keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], object]:
    keys = list(keys)
    if not keys:
        return {}
    rows = await session.execute(
        select(FlagRow.pseudonym, FlagRow.rule_id, FlagRow.raised_at)
        .where(tuple_(FlagRow.pseudonym, FlagRow.rule_id).in_(keys))
    )
    return {(p, r): raised for p, r, raised in rows}


async def replace_flags(session: AsyncSession, rows: list[dict]) -> None:
    """Replace the flags with these keys by the given rows (two set-based statements)."""
    if not rows:
        return
    keys = [(r["pseudonym"], r["rule_id"]) for r in rows]
    await session.execute(
        delete(FlagRow).where(tuple_(FlagRow.pseudonym, FlagRow.rule_id).in_(keys))
    )
    await session.execute(insert(FlagRow), rows)


async def cohort(session: AsyncSession, rule_id: str, districts: list[str],
                 limit: int, offset: int) -> list[FlagRow]:
    if not districts:
        return []
    result = await session.execute(
        select(FlagRow)
        .where(FlagRow.rule_id == rule_id, FlagRow.active.is_(True),
               FlagRow.area.in_(districts))
        .order_by(FlagRow.score.desc(), FlagRow.indicators.desc(), FlagRow.pseudonym)
        .limit(limit).offset(offset)
    )
    return list(result.scalars())


async def active_flag_rows(session: AsyncSession, pseudonyms: Iterable[str] | None = None
                           ) -> list:
    """The active flags (of these pseudonyms, or all), with the columns the policy reads."""
    query = select(FlagRow.pseudonym, FlagRow.rule_id, FlagRow.level, FlagRow.purposes,
                   FlagRow.score, FlagRow.area, FlagRow.agreements
                   ).where(FlagRow.active.is_(True))
    if pseudonyms is None:
        return list((await session.execute(query)).all())
    rows: list = []
    for part in chunks(set(pseudonyms)):
        rows += (await session.execute(query.where(FlagRow.pseudonym.in_(part)))).all()
    return rows


async def set_flag_agreements(session: AsyncSession, rule_id: str, pseudonyms: Iterable[str],
                              packed: str) -> None:
    """Store the packed agreements on the rule's flags of these pseudonyms."""
    for part in chunks(set(pseudonyms)):
        await session.execute(update(FlagRow).where(
            FlagRow.rule_id == rule_id, FlagRow.pseudonym.in_(part)
        ).values(agreements=packed))


async def delete_flags_under(session: AsyncSession, pseudonyms: Iterable[str],
                             agreements: list[str]) -> int:
    """Delete the flags of these pseudonyms held under any of the (non-empty) agreements;
    returns how many."""
    under_any = or_(*(holds(FlagRow.agreements, a) for a in agreements))
    deleted = 0
    for part in chunks(set(pseudonyms)):
        deleted += (await session.execute(delete(FlagRow).where(
            FlagRow.pseudonym.in_(part), under_any))).rowcount or 0
    return deleted


async def delete_flags_where(session: AsyncSession, condition) -> list:
    """Delete the flags matching `condition`; returns their (pseudonym, rule_id) rows."""
    return (await session.execute(delete(FlagRow).where(condition).returning(
        FlagRow.pseudonym, FlagRow.rule_id))).all()


async def holdings_of(session: AsyncSession, agreement: str) -> tuple[int, int]:
    """(flags, active ones) held under the agreement."""
    n, active = (await session.execute(select(
        func.count(), func.coalesce(func.sum(sql_case((FlagRow.active, 1), else_=0)), 0))
        .where(holds(FlagRow.agreements, agreement)))).one()
    return n, active


async def flags_of_pseudonym(session: AsyncSession, pseudonym: str) -> list[FlagRow]:
    """Every flag of the pseudonym, by rule."""
    return list((await session.execute(select(FlagRow).where(
        FlagRow.pseudonym == pseudonym).order_by(FlagRow.rule_id))).scalars())


# --- opt-outs ------------------------------------------------------------------------


async def apply_decision(session: AsyncSession, decision: m.ConsentDecision) -> bool:
    """Keep the decision unless a later one is kept; returns whether it was kept."""
    return await shared.apply_decision(
        session, OptOut, decision, decision_id=decision.decision_id,
        household=decision.household, updated_at=utcnow())


async def opt_out_keys(session: AsyncSession, persons: Iterable[str] | None = None
                       ) -> list[tuple[str, str]]:
    """(person, scope) of every opt-out in force (of these persons, or of everyone)."""
    query = select(OptOut.person, OptOut.scope).where(OptOut.status == shared.OPT_OUT)
    if persons is None:
        return [(person, scope) for person, scope in await session.execute(query)]
    out: list[tuple[str, str]] = []
    for part in chunks(set(persons)):
        rows = await session.execute(query.where(OptOut.person.in_(part)))
        out += [(person, scope) for person, scope in rows]
    return out


async def agreement_purposes(session: AsyncSession) -> list[tuple[str, list]]:
    """(agreement, purposes) of the agreements not ended."""
    rows = await session.execute(select(Agreement.agreement, Agreement.purposes)
                                 .where(Agreement.ended_on.is_(None)))
    return [(a, p) for a, p in rows]


async def agreement_states(session: AsyncSession, agreements: Iterable[str]
                           ) -> list[tuple[str, list, bool]]:
    """(agreement, purposes, ended) of these agreements (those not known are left out)."""
    out: list[tuple[str, list, bool]] = []
    for part in chunks(set(agreements)):
        rows = await session.execute(select(
            Agreement.agreement, Agreement.purposes, Agreement.ended_on.is_not(None))
            .where(Agreement.agreement.in_(part)))
        out += [(a, p or [], bool(ended)) for a, p, ended in rows]
    return out


# --- access log ----------------------------------------------------------------------------

# One number names the access log's lock among PostgreSQL's advisory locks (any other
# user of advisory locks in the database must keep clear of it).
LOG_LOCK = 0x7E55E7A0
_LOG = AccessEntry.__table__
# what a writer reads of the entries appended since it last held the lock: the chain's
# link and what the rate windows count
_APPENDED = (_LOG.c.seq, _LOG.c.hash, _LOG.c.at, _LOG.c.sub, _LOG.c.reason, _LOG.c.ref,
             _LOG.c.case_id)


def _recent_query(sub, since, limit):
    return (select(_LOG.c.seq, _LOG.c.at)
            .where(_LOG.c.sub == sub, _LOG.c.at >= since, _LOG.c.ref.is_(None),
                   _LOG.c.case_id.is_(None),
                   or_(_LOG.c.reason.is_(None), _LOG.c.reason != "rate"))
            .order_by(_LOG.c.seq.desc()).limit(limit))


async def lock_log(conn: AsyncConnection) -> None:
    """Hold the access log's lock until this transaction ends (PostgreSQL): appends from
    every process, one after another."""
    await conn.execute(select(func.pg_advisory_xact_lock(LOG_LOCK)))


async def log_head_link(conn: AsyncConnection) -> tuple[int, str] | None:
    """(seq, hash) of the newest entry, on a Core connection (the ledger's writer)."""
    row = (await conn.execute(select(_LOG.c.seq, _LOG.c.hash)
                              .order_by(_LOG.c.seq.desc()).limit(1))).first()
    return (row.seq, row.hash) if row is not None else None


async def appended_since(conn: AsyncConnection, after: int) -> list[dict]:
    """The entries after seq `after`, in seq order (their link and rate fields)."""
    rows = await conn.execute(select(*_APPENDED).where(_LOG.c.seq > after)
                              .order_by(_LOG.c.seq))
    return [dict(row._mapping) for row in rows]


async def recent_attempts(session: AsyncSession | AsyncConnection, sub: str,
                          since: datetime, limit: int) -> list[tuple[int, datetime]]:
    """(seq, at) of a subject's newest unlock and lookup attempts since a time, not
    counting refusals for rate or follow-ups of an earlier entry (at most `limit`: the
    rate check needs no more)."""
    query = _recent_query(sub, since, max(1, limit))
    return [(seq, at) for seq, at in await session.execute(query)]


async def insert_entries(conn: AsyncConnection, values: list[dict]) -> None:
    """Chained entries, as one executemany."""
    await conn.execute(insert(_LOG), values)


# --- the same statements on the ledger's own SQLite connection (run on its thread) --------
# Compiled from the table, and the values bound and read by the columns' own types, so a
# row written here reads back exactly as one written through the engine.
_SQLITE = sqlite_dialect.dialect(paramstyle="qmark")


def _compiled(statement) -> tuple[str, list]:
    compiled = statement.compile(dialect=_SQLITE)
    return str(compiled), [compiled.binds[name] for name in compiled.positiontup]


def _reader(columns) -> list:
    return [(c.name, c.type.dialect_impl(_SQLITE).result_processor(_SQLITE, None))
            for c in columns]


_LOG_INSERT = str(insert(_LOG).compile(dialect=_SQLITE))
_LOG_BINDS = [(c.name, c.type.bind_processor(_SQLITE)) for c in _LOG.columns]
_LOG_HEAD = str(select(_LOG.c.seq, _LOG.c.hash).order_by(_LOG.c.seq.desc()).limit(1)
                .compile(dialect=_SQLITE, compile_kwargs={"literal_binds": True}))
_APPENDED_SQL, _ = _compiled(select(*_APPENDED).where(_LOG.c.seq > bindparam("after"))
                             .order_by(_LOG.c.seq))
_APPENDED_READ = _reader(_APPENDED)
_RECENT_SQL, _RECENT_BINDS = _compiled(_recent_query(bindparam("sub"), bindparam("since"),
                                                     bindparam("limit")))
_AT = _LOG.c.at.type.dialect_impl(_SQLITE)


def _read(rows, readers) -> list[dict]:
    return [{name: read(v) if read else v for (name, read), v in zip(readers, row,
                                                                      strict=True)}
            for row in rows]


def lock_log_sqlite(con) -> None:
    """Begin a transaction holding SQLite's write lock (every process waits for it)."""
    con.execute("BEGIN IMMEDIATE")


def log_head_link_sqlite(con) -> tuple[int, str] | None:
    row = con.execute(_LOG_HEAD).fetchone()
    return (row[0], row[1]) if row is not None else None


def appended_since_sqlite(con, after: int) -> list[dict]:
    return _read(con.execute(_APPENDED_SQL, (after,)).fetchall(), _APPENDED_READ)


def recent_attempts_sqlite(con, sub: str, since: datetime,
                           limit: int) -> list[tuple[int, datetime]]:
    values = {"sub": sub, "since": since, "limit": max(1, limit)}
    params = []
    for bind in _RECENT_BINDS:
        process = bind.type.dialect_impl(_SQLITE).bind_processor(_SQLITE)
        value = values.get(bind.key, bind.value)  # the query's own literals as they are
        params.append(process(value) if process else value)
    read = _AT.result_processor(_SQLITE, None)
    return [(seq, read(at) if read else at)
            for seq, at in con.execute(_RECENT_SQL, params).fetchall()]


def insert_entries_sqlite(con, values: list[dict]) -> None:
    """Chained entries, as one executemany, and the transaction's commit."""
    rows = [tuple(bind(v.get(name)) if bind else v.get(name) for name, bind in _LOG_BINDS)
            for v in values]
    con.executemany(_LOG_INSERT, rows)
    con.execute("COMMIT")


def end_sqlite(con) -> None:
    """Roll back whatever the writer's transaction holds (after a failure)."""
    if con.in_transaction:
        con.execute("ROLLBACK")


async def log_head(session: AsyncSession) -> AccessEntry | None:
    result = await session.execute(
        select(AccessEntry).order_by(AccessEntry.seq.desc()).limit(1)
    )
    return result.scalar_one_or_none()


async def log_page(session: AsyncSession, limit: int, offset: int) -> list[AccessEntry]:
    result = await session.execute(
        select(AccessEntry).order_by(AccessEntry.seq).limit(limit).offset(offset)
    )
    return list(result.scalars())


async def entries_at(session: AsyncSession, seqs: Iterable[int]) -> dict[int, AccessEntry]:
    out: dict[int, AccessEntry] = {}
    for part in chunks(set(seqs)):
        rows = await session.execute(select(AccessEntry).where(AccessEntry.seq.in_(part)))
        out.update({row.seq: row for row in rows.scalars()})
    return out


async def log_after(session: AsyncSession, after: int, limit: int) -> list[AccessEntry]:
    result = await session.execute(select(AccessEntry).where(AccessEntry.seq > after)
                                   .order_by(AccessEntry.seq).limit(limit))
    return list(result.scalars())


async def scan_log(session: AsyncSession) -> AsyncIterator[AccessEntry]:
    """Every entry in seq order, a page at a time (keyset pagination)."""
    after = None
    while True:
        query = select(AccessEntry).order_by(AccessEntry.seq).limit(SCAN_PAGE)
        if after is not None:
            query = query.where(AccessEntry.seq > after)
        rows = list((await session.execute(query)).scalars())
        for row in rows:
            yield row
        if len(rows) < SCAN_PAGE:
            return
        after = rows[-1].seq


def _own_unlocks(sub: str):
    """A caller's unlock entries (not partner lookups or subject access steps)."""
    return (select(AccessEntry).where(AccessEntry.sub == sub, AccessEntry.action.is_(None),
                                      AccessEntry.case_id.is_(None)))


async def own_unlocks(session: AsyncSession, sub: str, limit: int,
                      offset: int) -> list[AccessEntry]:
    """A caller's unlock attempts, newest first (not the entries following them up)."""
    rows = await session.execute(_own_unlocks(sub).where(AccessEntry.ref.is_(None))
                                 .order_by(AccessEntry.seq.desc()).limit(limit).offset(offset))
    return list(rows.scalars())


async def follow_ups(session: AsyncSession, sub: str, seqs: Iterable[int]
                     ) -> dict[int, AccessEntry]:
    """The entry following up each of these of the caller's (by the seq it names)."""
    out: dict[int, AccessEntry] = {}
    for part in chunks(set(seqs)):
        rows = await session.execute(_own_unlocks(sub).where(AccessEntry.ref.in_(part))
                                     .order_by(AccessEntry.seq))
        out.update({row.ref: row for row in rows.scalars()})
    return out


async def log_of_pseudonym(session: AsyncSession, pseudonym: str) -> list[AccessEntry]:
    """Every access log entry about the pseudonym, in seq order."""
    return list((await session.execute(select(AccessEntry).where(
        AccessEntry.pseudonym == pseudonym).order_by(AccessEntry.seq))).scalars())


# --- subject access cases ----------------------------------------------------------------------


async def case(session: AsyncSession, case_id: str) -> SubjectAccessCase | None:
    return await session.get(SubjectAccessCase, case_id)


async def add_case(session: AsyncSession, **values) -> SubjectAccessCase:
    row = SubjectAccessCase(**values)
    session.add(row)
    await session.flush()
    return row


async def cases_page(session: AsyncSession, limit: int, offset: int,
                     open_only: bool) -> list[SubjectAccessCase]:
    query = select(SubjectAccessCase)
    if open_only:
        query = query.where(SubjectAccessCase.closed_at.is_(None))
    rows = await session.execute(query.order_by(SubjectAccessCase.opened_at.desc(),
                                                SubjectAccessCase.case_id)
                                 .limit(limit).offset(offset))
    return list(rows.scalars())


async def found_in_case(session: AsyncSession, case_id: str, pseudonym: str | None) -> bool:
    """Whether a search under the case found this person."""
    if pseudonym is None:
        return False
    row = (await session.execute(select(AccessEntry.seq).where(
        AccessEntry.case_id == case_id, AccessEntry.action == "sar-found",
        AccessEntry.pseudonym == pseudonym).limit(1))).first()
    return row is not None


async def subject_access_releases_since(session: AsyncSession, sub: str,
                                        since: datetime) -> int:
    """How many subject access releases (searches and exports) `sub` was given since."""
    return (await session.execute(
        select(func.count()).select_from(AccessEntry).where(
            AccessEntry.sub == sub, AccessEntry.at >= since, AccessEntry.case_id.is_not(None),
            AccessEntry.action.in_(("sar-search", "sar-export")),
            AccessEntry.outcome == "allowed"))).scalar_one()
