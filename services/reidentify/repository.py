"""Every query reidentify makes."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterable
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.reidentify.models import AccessEntry, FlagRow, OptOut, RevokedToken

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


async def active_flags(session: AsyncSession, pseudonym: str) -> list[FlagRow]:
    result = await session.execute(
        select(FlagRow)
        .where(FlagRow.pseudonym == pseudonym, FlagRow.active.is_(True))
        .order_by(FlagRow.score.desc(), FlagRow.rule_id)
    )
    return list(result.scalars())


async def policy_facts(session: AsyncSession, *, sub: str, since: datetime, pseudonym: str,
                       scopes: list[str]) -> tuple[list[FlagRow], int, bool]:
    """In one round trip: the pseudonym's active flags, the caller's attempts since a
    time (as count_recent_attempts) and whether an opt-out in these scopes applies.
    The statements are built once (bound parameters), not per unlock."""
    with_flags, counts_only = _policy_statements()
    params = {"sub": sub, "since": since, "pseudonym": pseudonym, "scopes": list(scopes)}
    rows = (await session.execute(with_flags, params)).all()
    if rows:
        return [r[0] for r in rows], int(rows[0][1]), bool(rows[0][2])
    count, opted_out = (await session.execute(counts_only, params)).one()
    return [], int(count), bool(opted_out)


@functools.cache
def _policy_statements():
    recent = _recent_attempts(bindparam("sub"), bindparam("since")).scalar_subquery()
    opted = _opt_outs(bindparam("pseudonym"),
                      bindparam("scopes", expanding=True)).scalar_subquery()
    with_flags = (select(FlagRow, recent, opted)
                  .where(FlagRow.pseudonym == bindparam("pseudonym"),
                         FlagRow.active.is_(True))
                  .order_by(FlagRow.score.desc(), FlagRow.rule_id))
    return with_flags, select(recent, opted)


def _recent_attempts(sub: str, since: datetime):
    return (select(func.count()).select_from(AccessEntry)
            .where(AccessEntry.sub == sub, AccessEntry.at >= since,
                   or_(AccessEntry.reason.is_(None), AccessEntry.reason != "rate")))


def _opt_outs(person: str, scopes: list[str]):
    return (select(func.count()).select_from(OptOut)
            .where(OptOut.person == person, OptOut.scope.in_(scopes),
                   OptOut.status == "opt_out"))


# --- opt-outs ------------------------------------------------------------------------


async def get_optout(session: AsyncSession, person: str, scope: str) -> OptOut | None:
    return await session.get(OptOut, (person, scope))


async def is_opted_out(session: AsyncSession, person: str, scopes: list[str]) -> bool:
    return bool((await session.execute(_opt_outs(person, scopes))).scalar_one())


# --- access log ----------------------------------------------------------------------------


async def log_head(session: AsyncSession) -> AccessEntry | None:
    result = await session.execute(
        select(AccessEntry).order_by(AccessEntry.seq.desc()).limit(1)
    )
    return result.scalar_one_or_none()


async def count_recent_attempts(session: AsyncSession, sub: str, since: datetime) -> int:
    """Attempts by one subject since a time, not counting those refused for rate."""
    return int((await session.execute(_recent_attempts(sub, since))).scalar_one())


async def log_page(session: AsyncSession, limit: int, offset: int) -> list[AccessEntry]:
    result = await session.execute(
        select(AccessEntry).order_by(AccessEntry.seq).limit(limit).offset(offset)
    )
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


# --- revocations -----------------------------------------------------------------------


async def is_revoked(session: AsyncSession, jti: str) -> bool:
    result = await session.execute(select(RevokedToken.jti).where(RevokedToken.jti == jti))
    return result.first() is not None


async def revoked_jtis(session: AsyncSession) -> list[str]:
    return list((await session.execute(select(RevokedToken.jti))).scalars())


async def get_revocation(session: AsyncSession, jti: str) -> RevokedToken | None:
    return await session.get(RevokedToken, jti)


async def add_revocation(session: AsyncSession, jti: str, reason: str) -> RevokedToken:
    row = RevokedToken(jti=jti, reason=reason)
    session.add(row)
    await session.flush()
    return row
