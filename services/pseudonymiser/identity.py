"""Answers to reidentify requests: one identity per person, built from their records.

The identity is returned to the requester and never logged or stored elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.common.db import SQLITE_ERRORS, sqlite_connect
from services.pseudonymiser import repository as repo
from services.pseudonymiser.models import IdentityRecord


class Ask(Protocol):
    """What a lookup needs of a request (``m.ReidentifyRequest`` is one)."""

    pseudonym: str
    level: str
    partner: str | None


@dataclass
class Answer:
    """What the pseudonymiser would release for a request (sealed before it is sent)."""

    found: bool
    withheld: bool = False
    subjects: list[m.Identity] = field(default_factory=list)
    local_ids: list[m.LocalRecord] = field(default_factory=list)
    # whose records it came from: each partner can read that its people were released
    partners: frozenset[str] = frozenset()


def _first(records: list[IdentityRecord], attr: str, better=None):
    values = [getattr(r, attr) for r in records if getattr(r, attr) not in (None, "")]
    if better:
        preferred = [v for v in values if better(v)]
        values = preferred or values
    return values[0] if values else None


def build_identity(records: list[IdentityRecord]) -> m.Identity:
    """Most recent non-empty value of each field; full given names over initials; address
    and postcode taken together from the most recent record that has an address."""
    records = sorted(records, key=lambda r: r.received_seq, reverse=True)
    with_address = [r for r in records if r.address]
    home = with_address[0] if with_address else None
    return m.Identity(
        given_name=_first(records, "given_name", better=lambda v: len(v.strip(" .")) > 1),
        family_name=_first(records, "family_name"),
        date_of_birth=_first(records, "date_of_birth"),
        sex=_first(records, "sex"),
        address=home.address if home else None,
        postcode=(home.postcode if home and home.postcode else _first(records, "postcode")),
    )


# --- partner-scoped lookups ------------------------------------------------------------------


async def partner_local_ids(session: AsyncSession,
                            request: Ask) -> Answer:
    """Only the asking partner's own local IDs for a person (or a household's members and
    its property records): never an identity, never another partner's IDs."""
    partner = request.partner
    if not partner:
        raise ValueError("a partner-scoped lookup names its partner")
    if request.level == "person":
        person = await repo.person_by_pseudonym(session, request.pseudonym)
        if person is None or person.merged_into is not None:
            return Answer(found=False)
        if person.withheld:
            return Answer(found=True, withheld=True)
        person_ids, household_id = [person.id], None
    else:
        household = await repo.household_by_pseudonym(session, request.pseudonym)
        if household is None:
            return Answer(found=False)
        members = await repo.household_members(session, household.id)
        person_ids = [p.id for p in members if not p.withheld]
        if members and not person_ids:
            return Answer(found=True, withheld=True)
        household_id = household.id
    rows = await repo.partner_local_ids(session, partner, person_ids, household_id)
    return Answer(found=True, local_ids=[
        m.LocalRecord(dataset=dataset, local_id=local_id) for dataset, local_id in rows],
        partners=frozenset({partner}) if rows else frozenset())


# --- the responder's path: one round trip per request --------------------------------------

def _reply(level: str, rows) -> Answer:
    """The reply from the rows of ``repo.identity_statement`` (attribute access by column
    name)."""
    if not rows:
        return Answer(found=False)
    members: dict[int, list] = {}
    withheld: dict[int, bool] = {}
    for row in rows:
        if row.person_id is None:  # a household without members
            continue
        if level == "person" and row.merged_into is not None:
            return Answer(found=False)
        withheld[row.person_id] = bool(row.withheld)
        records_of = members.setdefault(row.person_id, [])
        if row.received_seq is not None or row.given_name is not None:
            records_of.append(row)
    visible = sorted(p for p, hidden in withheld.items() if not hidden)
    if withheld and not visible:
        return Answer(found=True, withheld=True, subjects=[])
    return Answer(found=True, subjects=[
        build_identity(members[p]) for p in visible if members[p]],
        partners=frozenset(r.partner for p in visible for r in members[p] if r.partner))


async def answer(session: AsyncSession, request: Ask) -> Answer:
    """A person's identity (a household's: each visible member's), from one statement."""
    return _reply(request.level, await repo.identity_rows(session, request.level,
                                                          request.pseudonym))


# --- SQLite: the same statement, read synchronously -----------------------------------------


class SQLiteReader:
    """``answer`` without a thread hop: the same statement, compiled once, on a dedicated
    read-only connection (WAL: a reader never waits for the writer, and each statement
    sees the last commit). A keyed lookup takes tens of microseconds, far less than
    handing one call to aiosqlite's worker thread, so it runs on the event loop. Any
    SQLite error gives None and the caller falls back to ``answer``."""

    BUSY_TIMEOUT_S = 0.05  # never hold the event loop long; fall back instead

    def __init__(self, path: str, key: str | None = None):
        self.path = path
        self.key = key
        self._conn = None  # a sqlite3 or SQLCipher connection
        self._statements: dict[str, tuple[str, tuple[str, ...], dict]] = {}
        for level in ("person", "household"):
            compiled = repo.identity_statement(level).compile(dialect=sqlite_dialect.dialect())
            names = tuple(compiled.positiontup or ())
            self._statements[level] = (str(compiled), names, dict(compiled.params))

    @classmethod
    def for_url(cls, url: str, key: str | None = None) -> SQLiteReader | None:
        """A reader for a file SQLite database URL (`key`: its SQLCipher key); None for
        any other database."""
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            return None
        return cls(parsed.database, key)

    def _connection(self):
        if self._conn is None:
            uri = f"{Path(self.path).resolve().as_uri()}?mode=ro"
            conn = sqlite_connect(uri, self.key, uri=True, timeout=self.BUSY_TIMEOUT_S,
                                  isolation_level=None, check_same_thread=False)
            conn.row_factory = _row
            conn.execute("PRAGMA query_only=ON")
            self._conn = conn
        return self._conn

    def answer(self, request: Ask) -> Answer | None:
        sql, names, defaults = self._statements[request.level]
        params = tuple(request.pseudonym if n == "pseudonym" else defaults[n] for n in names)
        try:
            rows = self._connection().execute(sql, params).fetchall()
        except SQLITE_ERRORS:
            self.close()
            return None
        return _reply(request.level, rows)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class _Row:
    __slots__ = ("person_id", "withheld", "merged_into", *repo.IDENTITY_COLUMNS)

    def __init__(self, values):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)
        if isinstance(self.date_of_birth, str):  # SQLAlchemy stores Date as ISO text
            self.date_of_birth = date.fromisoformat(self.date_of_birth)


def _row(cursor, values) -> _Row:
    return _Row(values)
