"""Every query of the identity slice (set-based: IN lists in chunks, never a full scan)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    and_,
    bindparam,
    case,
    delete,
    distinct,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from services.common import db
from services.common.db import utcnow
from services.pseudonymiser.models import (
    ConsentRecord,
    Household,
    IdentityRecord,
    LinkageModelVersion,
    Person,
    PostcodeArea,
    Release,
    ReviewPair,
    WriteLock,
)

# IN-lists and multi-row inserts per statement: well under the 32,766 parameters SQLite
# and asyncpg allow, and few enough round trips for a batch of thousands.
CHUNK = 2000


def chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    items = list(values)
    for i in range(0, len(items), size):
        yield items[i:i + size]


async def take_fence(session: AsyncSession, holder: str) -> int:
    """The next fencing epoch, for the newly elected linkage writer (`holder`)."""
    return await db.take_fence(session, WriteLock, holder)


async def check_fence(session: AsyncSession, epoch: int) -> None:
    """The write lock, if `epoch` is still the newest (else `db.Fenced`)."""
    await db.check_fence(session, WriteLock, epoch)


async def fence(session: AsyncSession) -> tuple[int, str | None]:
    """The newest epoch and the replica holding it."""
    row = (await session.execute(select(WriteLock.fence, WriteLock.holder)
                                 .where(WriteLock.id == 1))).one_or_none()
    return (row[0], row[1]) if row is not None else (0, None)


async def next_seq(session: AsyncSession) -> int:
    current = await session.scalar(select(func.max(IdentityRecord.received_seq)))
    return (current or 0) + 1


async def records_by_token(session: AsyncSession, tokens: Iterable[str]
                           ) -> dict[str, IdentityRecord]:
    out: dict[str, IdentityRecord] = {}
    for part in chunks(set(tokens)):
        rows = await session.scalars(
            select(IdentityRecord).where(IdentityRecord.record_token.in_(part)))
        out.update({r.record_token: r for r in rows})
    return out


async def persons_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Person]:
    out: dict[int, Person] = {}
    for part in chunks(set(ids)):
        rows = await session.scalars(select(Person).where(Person.id.in_(part)))
        out.update({p.id: p for p in rows})
    return out


async def _drafts_by(session: AsyncSession, model, column: str, values: Iterable
                    ) -> dict:
    """Rows of `model` whose `column` is one of `values`, as plain Drafts (with their
    id) keyed by that column: no ORM objects for the thousands a batch places."""
    table = model.__table__
    out: dict = {}
    for part in chunks(set(values)):
        rows = await session.execute(select(table).where(table.c[column].in_(part)))
        keys = tuple(rows.keys())  # every column: no defaults to fill in
        at = keys.index(column)
        out.update({row[at]: Draft.of_row(keys, row) for row in rows})
    return out


async def person_rows(session: AsyncSession, ids: Iterable[int]) -> dict[int, Draft]:
    """Persons by id as plain rows. Their household is written with `set_households`."""
    return await _drafts_by(session, Person, "id", ids)


async def households_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Household]:
    out: dict[int, Household] = {}
    for part in chunks({i for i in ids if i is not None}):
        rows = await session.scalars(select(Household).where(Household.id.in_(part)))
        out.update({h.id: h for h in rows})
    return out


async def households_by_key(session: AsyncSession, keys: Iterable[str]) -> dict[str, Draft]:
    """Households by address key as plain rows. Changes to them are written explicitly
    (`set_household_areas`, `mark_institutions`)."""
    return await _drafts_by(session, Household, "address_key", keys)


async def set_household_areas(session: AsyncSession, areas: dict[int, str]) -> None:
    """Set households' area (id -> outward postcode), in one batched statement."""
    if areas:
        await update_by_key(session, Household.__table__, "id",
                            [{"id": h, "area": a} for h, a in areas.items()])


async def person_by_pseudonym(session: AsyncSession, pseudonym: str) -> Person | None:
    return await session.scalar(select(Person).where(Person.pseudonym == pseudonym))


async def household_by_pseudonym(session: AsyncSession, pseudonym: str) -> Household | None:
    return await session.scalar(select(Household).where(Household.pseudonym == pseudonym))


async def area_of(session: AsyncSession, pseudonym: str
                  ) -> tuple[bool, str | None, str | None]:
    """(found, area, household pseudonym) of a current (not merged) person."""
    row = (await session.execute(
        select(Household.area, Household.pseudonym).select_from(Person)
        .outerjoin(Household, Household.id == Person.household_id)
        .where(Person.pseudonym == pseudonym, Person.merged_into.is_(None)))).first()
    return (False, None, None) if row is None else (True, row.area, row.pseudonym)


async def household_members(session: AsyncSession, household_id: int) -> list[Person]:
    rows = await session.scalars(select(Person).where(
        Person.household_id == household_id, Person.merged_into.is_(None)).order_by(Person.id))
    return list(rows)


async def records_of_persons(session: AsyncSession, person_ids: Iterable[int], *,
                             purpose: str | None = None, level: str | None = None
                             ) -> list[IdentityRecord]:
    out: list[IdentityRecord] = []
    for part in chunks(set(person_ids)):
        query = select(IdentityRecord).where(IdentityRecord.person_id.in_(part))
        if purpose:
            query = query.where(IdentityRecord.purpose == purpose)
        if level:
            query = query.where(IdentityRecord.level == level)
        out.extend(await session.scalars(query.order_by(IdentityRecord.received_seq.desc())))
    return out


_ASSIGNED = ("record_token", "level", "purpose", "person_id", "household_id", "received_seq",
             "version")


async def assignable(session: AsyncSession, tokens: Iterable[str], person_ids: Iterable[int]
                     ) -> list[Draft]:
    """Data records by token or of these persons, with only what an assignment needs (as
    drafts: no ORM objects for thousands of rows); `set_versions` stores their changes."""
    table = IdentityRecord.__table__
    cols = [table.c[k] for k in _ASSIGNED]
    out: dict[str, Draft] = {}
    for column, values in ((table.c.record_token, set(tokens)),
                           (table.c.person_id, set(person_ids))):
        for part in chunks(values):
            rows = await session.execute(select(*cols).where(column.in_(part),
                                                             table.c.purpose == "data"))
            keys = tuple(rows.keys())
            for row in rows:
                if row[0] not in out:
                    out[row[0]] = Draft.of_row(keys, row)
    return list(out.values())


async def update_by_key(session: AsyncSession, table, key: str, rows: list[dict]) -> None:
    """One batched UPDATE (executemany): each row sets its other columns where `key`
    equals its value. Every row has the same columns."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != key]
    await session.execute(
        update(table).where(table.c[key] == bindparam(f"b_{key}"))
        .values({c: bindparam(f"b_{c}") for c in columns}),
        [{f"b_{c}": v for c, v in row.items()} for row in rows])


async def set_versions(session: AsyncSession, records: list) -> None:
    """Store records' new assignment version and household, in one batched statement."""
    if not records:
        return
    await update_by_key(session, IdentityRecord.__table__, "record_token",
                        [{"record_token": r.record_token, "version": r.version,
                          "household_id": r.household_id} for r in records])
    by_token = {r.record_token: r for r in records}
    for obj in list(session.identity_map.values()):
        if isinstance(obj, IdentityRecord) and obj.record_token in by_token:
            set_committed_value(obj, "version", by_token[obj.record_token].version)
            set_committed_value(obj, "household_id", by_token[obj.record_token].household_id)


async def move_records(session: AsyncSession, from_ids: Sequence[int], to_id: int) -> list[str]:
    """Re-point every record of merged persons at the survivor; returns their tokens."""
    return await merge_records(session, dict.fromkeys(from_ids, to_id))


async def merge_records(session: AsyncSession, into: dict[int, int]) -> list[str]:
    """Re-point every record of each merged person (person id -> survivor id) at its
    survivor, one statement per chunk of persons; returns the tokens moved."""
    table = IdentityRecord.__table__
    moved: dict[str, int] = {}
    for part in chunks(into):
        mapping = {pid: into[pid] for pid in part}
        rows = await session.execute(
            update(table).where(table.c.person_id.in_(part))
            .values(person_id=case(mapping, value=table.c.person_id))
            .returning(table.c.record_token, table.c.person_id))
        moved.update(dict(rows.all()))
    _sync_loaded(session, moved)
    return list(moved)


def _sync_loaded(session: AsyncSession, person_of: dict[str, int]) -> None:
    """Records already loaded in the session follow a bulk re-point (as the ORM's own
    synchronisation would, without a query per object)."""
    if not person_of:
        return
    for obj in list(session.identity_map.values()):
        if isinstance(obj, IdentityRecord) and obj.record_token in person_of:
            set_committed_value(obj, "person_id", person_of[obj.record_token])


async def address_rows(session: AsyncSession, person_ids: Iterable[int]
                       ) -> list[tuple[int, int, str | None, str | None]]:
    """(person id, received order, address key, postcode) of every record of these persons."""
    out: list = []
    for part in chunks(set(person_ids)):
        out += (await session.execute(select(
            IdentityRecord.person_id, IdentityRecord.received_seq,
            IdentityRecord.address_key, IdentityRecord.norm_postcode,
        ).where(IdentityRecord.person_id.in_(part)))).all()
    return out


def latest_addresses(rows: Iterable[tuple[int, int, str | None, str | None]]
                     ) -> dict[int, tuple[str, str | None]]:
    """Per person, the address key of their most recently received record with an address,
    and a postcode for it: that record's, else the person's most recent postcode (a record
    keyed by UPRN may carry none), so the household still gets its area."""
    best: dict[int, tuple[int, str, str | None]] = {}
    postcodes: dict[int, tuple[int, str]] = {}
    for pid, seq, key, pc in rows:
        if key and (pid not in best or seq > best[pid][0]):
            best[pid] = (seq, key, pc)
        if pc and (pid not in postcodes or seq > postcodes[pid][0]):
            postcodes[pid] = (seq, pc)
    return {pid: (key, pc or postcodes.get(pid, (0, None))[1])
            for pid, (_, key, pc) in best.items()}


async def add_decision(session: AsyncSession, **values) -> bool:
    if await session.get(ConsentRecord, values["decision_id"]) is not None:
        return False
    session.add(ConsentRecord(**values))
    return True


async def later_decision(session: AsyncSession, person: str, scope: str,
                         sequence: int) -> bool:
    """Whether an effective decision for this person and scope with a larger sequence is
    stored (applied before this one, though consent recorded it after)."""
    found = await session.execute(select(ConsentRecord.decision_id).where(
        ConsentRecord.person == person, ConsentRecord.scope == scope,
        ConsentRecord.effective.is_(True), ConsentRecord.sequence > sequence).limit(1))
    return found.first() is not None


class Draft:
    """A row not stored yet: plain attributes named as a model's columns (None unless
    given). Thousands of ORM-instrumented objects cost more than the linking itself."""

    def __init__(self, model, **values):
        self.__dict__ = {**_blank(model), **values}

    @classmethod
    def of_row(cls, keys: tuple[str, ...], row) -> Draft:
        """A stored row's values by column name, without a mapping per row (the columns
        not selected are left unset)."""
        draft = cls.__new__(cls)
        draft.__dict__.update(zip(keys, row, strict=True))
        return draft


@functools.cache
def _blank(model) -> dict:
    """Every column of a model, None (a Draft's starting values)."""
    return dict.fromkeys(c.key for c in model.__table__.columns)


def _default(column):
    """A column's client-side default, for a value left unset (None)."""
    default = column.default
    if default is None:
        return None
    return default.arg(None) if default.is_callable else default.arg


async def insert_new(session: AsyncSession, model, objects: list) -> None:
    """Insert new persons or households (ORM objects or drafts) in batched statements and
    set their ids on the objects."""
    if not objects:
        return
    table = model.__table__
    columns = [c for c in table.columns if c.key != "id"]
    rows = []
    for o in objects:
        row = {c.key: getattr(o, c.key, None) for c in columns}
        for c in columns:
            if row[c.key] is None:
                row[c.key] = _default(c)
        rows.append(row)
    by_uuid = {o.uuid: o for o in objects}
    for part in chunks(rows, 1000):
        result = await session.execute(insert(table).returning(table.c.id, table.c.uuid),
                                       part)
        for id_, uuid_ in result:
            by_uuid[uuid_].id = id_


# --- probabilistic linkage -----------------------------------------------------------


async def person_of_tokens(session: AsyncSession, tokens: Iterable[str]) -> dict[str, int]:
    """Held person-level records among `tokens`: token -> person id."""
    out: dict[str, int] = {}
    for part in chunks(set(tokens)):
        rows = await session.execute(select(IdentityRecord.record_token, IdentityRecord.person_id)
                                     .where(IdentityRecord.record_token.in_(part),
                                            IdentityRecord.level == "person",
                                            IdentityRecord.person_id.is_not(None)))
        out.update(dict(rows.all()))
    return out


@dataclass
class Holders:
    members: dict[int, set[str]] = field(default_factory=dict)  # person id -> tokens
    exclusive: dict[str, str] = field(default_factory=dict)  # token -> dataset key


async def persons_holding(session: AsyncSession, tokens: Iterable[str]) -> Holders:
    """The persons holding any of `tokens` (held person-level records), with all their
    person-level records and which of those are of one-record-per-person datasets: one
    query per chunk of tokens."""
    out = Holders()
    r = IdentityRecord
    for part in chunks(set(tokens)):
        holders = select(r.person_id).where(r.record_token.in_(part), r.level == "person",
                                            r.person_id.is_not(None))
        rows = await session.execute(
            select(r.person_id, r.record_token, r.one_per_person, r.partner, r.dataset)
            .where(r.person_id.in_(holders), r.level == "person"))
        for pid, token, one, partner, dataset in rows:
            out.members.setdefault(pid, set()).add(token)
            if one:
                out.exclusive[token] = _key(partner, dataset)
    return out


@dataclass
class Decisions:
    matches: set[tuple[str, str]] = field(default_factory=set)
    non_matches: set[tuple[str, str]] = field(default_factory=set)
    decided: set[tuple[str, str]] = field(default_factory=set)  # any pair already queued


def _decisions(rows) -> Decisions:
    out = Decisions()
    for a, b, status in rows:
        out.decided.add((a, b))
        if status == "match":
            out.matches.add((a, b))
        elif status == "non_match":
            out.non_matches.add((a, b))
    return out


async def decisions_among(session: AsyncSession, tokens: Iterable[str]) -> Decisions:
    """Queued pairs touching any of `tokens`, with reviewers' decisions."""
    rows: set = set()
    for part in chunks(set(tokens)):
        for col in (ReviewPair.token_a, ReviewPair.token_b):
            rows.update((await session.execute(
                select(ReviewPair.token_a, ReviewPair.token_b, ReviewPair.status)
                .where(col.in_(part)))).all())
    return _decisions(rows)


async def all_decisions(session: AsyncSession) -> Decisions:
    rows = await session.execute(select(ReviewPair.token_a, ReviewPair.token_b,
                                        ReviewPair.status))
    return _decisions(rows.all())


async def recent_decisions(session: AsyncSession, limit: int) -> list[tuple[str, str, str]]:
    """The latest clerical decisions: (token_a, token_b, "match" or "non_match")."""
    rows = await session.execute(
        select(ReviewPair.token_a, ReviewPair.token_b, ReviewPair.status)
        .where(ReviewPair.status.in_(("match", "non_match")))
        .order_by(ReviewPair.decided_at.desc()).limit(limit))
    return [tuple(r) for r in rows]


async def add_review_pairs(session: AsyncSession, pairs: dict[tuple[str, str], float],
                           model_version: str, known: set[tuple[str, str]] | None = None
                           ) -> int:
    """Queue pairs (token_a <= token_b) not queued before; returns how many were new.
    `known`: every queued pair touching these tokens, when the caller has them."""
    if not pairs:
        return 0
    if known is None:
        known = (await decisions_among(session, {t for p in pairs for t in p})).decided
    fresh = [{"pair_id": "rp_" + uuid.uuid4().hex, "token_a": a, "token_b": b,
              "probability": p, "model_version": model_version, "status": "pending",
              "created_at": utcnow()}
             for (a, b), p in pairs.items() if (a, b) not in known]
    for part in chunks(fresh):
        await session.execute(insert(ReviewPair), part)
    return len(fresh)


async def pending_pairs(session: AsyncSession, tokens: Iterable[str] | None = None
                        ) -> list[ReviewPair]:
    """Pending pairs (touching any of `tokens`, when given)."""
    pending = ReviewPair.status == "pending"
    if tokens is None:
        return list(await session.scalars(select(ReviewPair).where(pending)))
    found: dict[str, ReviewPair] = {}
    for part in chunks(set(tokens)):
        for col in (ReviewPair.token_a, ReviewPair.token_b):
            for pair in await session.scalars(select(ReviewPair).where(pending,
                                                                       col.in_(part))):
                found[pair.pair_id] = pair
    return list(found.values())


async def review_page(session: AsyncSession, status: str | None, limit: int, offset: int
                      ) -> list[ReviewPair]:
    query = select(ReviewPair)
    if status:
        query = query.where(ReviewPair.status == status)
    rows = await session.scalars(query.order_by(ReviewPair.created_at, ReviewPair.pair_id)
                                 .limit(limit).offset(offset))
    return list(rows)


async def review_pair(session: AsyncSession, pair_id: str) -> ReviewPair | None:
    return await session.get(ReviewPair, pair_id)


async def person_level_records(session: AsyncSession, batch: int = 20000, after: int = -1):
    """Every held person-level record received (or changed) after the `after`'th, in
    pages by received order (for the index): rows with the model's column names as
    attributes, not ORM objects (a million of those cost minutes and gigabytes)."""
    table = IdentityRecord.__table__
    last = after
    while True:
        rows = (await session.execute(
            select(table).where(table.c.level == "person", table.c.received_seq > last)
            .order_by(table.c.received_seq).limit(batch))).all()
        if not rows:
            return
        last = rows[-1].received_seq
        yield rows


async def person_level_count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(IdentityRecord)
                                .where(IdentityRecord.level == "person"))


async def person_level_tokens(session: AsyncSession) -> set[str]:
    """The tokens of every held person-level record (what the index should hold)."""
    return set(await session.scalars(select(IdentityRecord.record_token)
                                     .where(IdentityRecord.level == "person")))


async def active_model(session: AsyncSession) -> LinkageModelVersion | None:
    return await session.scalar(select(LinkageModelVersion)
                                .order_by(LinkageModelVersion.id.desc()).limit(1))


async def save_model(session: AsyncSession, version: str, document: str,
                     trained_on: int | None = None) -> LinkageModelVersion:
    """Make a model the active one (the latest stored), unless it is already."""
    current = await active_model(session)
    if current is None or current.version != version:
        current = LinkageModelVersion(version=version, document=document,
                                      trained_on=trained_on)
        session.add(current)
        await session.flush()
    return current


async def mark_relinked(session: AsyncSession, version: str) -> None:
    await session.execute(update(LinkageModelVersion)
                          .where(LinkageModelVersion.version == version)
                          .values(relinked_at=utcnow()))


# --- households ------------------------------------------------------------------------


async def households_of_at_least(session: AsyncSession, household_ids: Iterable[int],
                                  members: int) -> set[int]:
    """The households among these with at least `members` current members (stored)."""
    out: set[int] = set()
    for part in chunks(set(household_ids)):
        out.update(await session.scalars(
            select(Person.household_id)
            .where(Person.household_id.in_(part), Person.merged_into.is_(None))
            .group_by(Person.household_id).having(func.count() >= members)))
    return out


async def family_names_by_household(session: AsyncSession, household_ids: Iterable[int],
                                    pending: Iterable[tuple] = ()
                                    ) -> dict[int, list[str | None]]:
    """Per household, one family name per current member (their latest record's).
    `pending`: (household id, person id, received order, family name) of records not yet
    stored."""
    # held: one row per member, their latest record with a family name (else any)
    latest = (select(Person.household_id, Person.id.label("pid"),
                     IdentityRecord.received_seq, IdentityRecord.norm_family,
                     func.row_number().over(
                         partition_by=Person.id,
                         order_by=(IdentityRecord.norm_family.is_(None),
                                   IdentityRecord.received_seq.desc())).label("n"))
              .join(IdentityRecord, IdentityRecord.person_id == Person.id)
              .where(Person.merged_into.is_(None)))
    best: dict[int, tuple[int, int, str | None]] = {}
    for part in chunks(set(household_ids)):
        sub = latest.where(Person.household_id.in_(part)).subquery()
        for hid, pid, seq, family in await session.execute(
                select(sub.c.household_id, sub.c.pid, sub.c.received_seq,
                       sub.c.norm_family).where(sub.c.n == 1)):
            best[pid] = (hid, seq, family)
    for hid, pid, seq, family in pending:  # newer than what is held
        if pid not in best or (family and seq > best[pid][1]):
            best[pid] = (hid, seq, family)
    out: dict[int, list[str | None]] = {}
    for hid, _, family in best.values():
        out.setdefault(hid, []).append(family)
    return out


async def set_households(session: AsyncSession, household_of: dict[int, int | None]) -> None:
    """Point persons (id -> household id) at households, in one batched statement;
    persons loaded in the session follow."""
    if household_of:
        await update_by_key(session, Person.__table__, "id",
                            [{"id": p, "household_id": h} for p, h in household_of.items()])
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Person) and obj.id in household_of:
                set_committed_value(obj, "household_id", household_of[obj.id])


async def insert_records(session: AsyncSession, records: list) -> None:
    """Store new identity records (plain objects with the model's attributes) in batched
    multi-row statements."""
    if not records:
        return
    now = utcnow()
    columns = [c.key for c in IdentityRecord.__table__.columns]
    rows = []
    for r in records:
        row = {k: getattr(r, k, None) for k in columns}
        row["received_at"] = row["received_at"] or now
        row["version"] = row["version"] or 0
        row["received_seq"] = row["received_seq"] or 0
        row["one_per_person"] = bool(row["one_per_person"])
        rows.append(row)
    for part in chunks(rows, 1000):
        await session.execute(insert(IdentityRecord.__table__), part)


async def member_ids(session: AsyncSession, household_ids: Sequence[int]) -> list[int]:
    out: list[int] = []
    for part in chunks(household_ids):
        out += list(await session.scalars(select(Person.id).where(
            Person.household_id.in_(part), Person.merged_into.is_(None))))
    return out


async def property_tokens(session: AsyncSession, household_ids: Sequence[int]) -> list[str]:
    out: list[str] = []
    for part in chunks(household_ids):
        out += list(await session.scalars(select(IdentityRecord.record_token).where(
            IdentityRecord.household_id.in_(part), IdentityRecord.level == "property",
            IdentityRecord.purpose == "data")))
    return out


async def person_of_all_tokens(session: AsyncSession) -> dict[str, tuple[int, int]]:
    """Every held person-level record: token -> (person id, received order)."""
    rows = await session.execute(
        select(IdentityRecord.record_token, IdentityRecord.person_id,
               IdentityRecord.received_seq)
        .where(IdentityRecord.level == "person", IdentityRecord.person_id.is_not(None)))
    return {t: (p, s) for t, p, s in rows}


async def records_of_holders(session: AsyncSession, tokens: Iterable[str]
                             ) -> dict[str, tuple[int, int]]:
    """Every person-level record of the persons holding any of `tokens`: token ->
    (person id, received order)."""
    r = IdentityRecord
    out: dict[str, tuple[int, int]] = {}
    for part in chunks(set(tokens)):
        holders = select(r.person_id).where(r.record_token.in_(part), r.level == "person",
                                            r.person_id.is_not(None))
        rows = await session.execute(select(r.record_token, r.person_id, r.received_seq)
                                     .where(r.person_id.in_(holders), r.level == "person"))
        out.update({t: (p, s) for t, p, s in rows})
    return out


async def move_tokens(session: AsyncSession, tokens: Sequence[str], person_id: int
                      ) -> list[str]:
    return await repoint(session, dict.fromkeys(tokens, person_id))


async def repoint(session: AsyncSession, person_of: dict[str, int]) -> list[str]:
    """Point records (token -> person id) at new persons in one batched statement."""
    if person_of:
        await update_by_key(session, IdentityRecord.__table__, "record_token",
                            [{"record_token": t, "person_id": p} for t, p in person_of.items()])
        _sync_loaded(session, person_of)
    return list(person_of)


async def mark_institutions(session: AsyncSession, household_ids: Sequence[int],
                            reason: str) -> None:
    """Mark households as institutions (the caller sets `institution` on the objects it
    holds: they are not refreshed, so they stay usable outside a query)."""
    for part in chunks(household_ids):
        await session.execute(update(Household).where(Household.id.in_(part))
                              .values(institution=reason)
                              .execution_options(synchronize_session=False))


def _key(partner: str, dataset: str) -> str:
    return f"{partner}|{dataset}"


async def exclusive_keys(session: AsyncSession, tokens: Iterable[str] | None = None
                         ) -> dict[str, str]:
    """Records of one-record-per-person datasets among `tokens` (all when None):
    token -> their dataset's key."""
    query = select(IdentityRecord.record_token, IdentityRecord.partner,
                   IdentityRecord.dataset).where(IdentityRecord.one_per_person.is_(True))
    if tokens is None:
        return {t: _key(p, d) for t, p, d in await session.execute(query)}
    out: dict[str, str] = {}
    for part in chunks(set(tokens)):
        rows = await session.execute(query.where(IdentityRecord.record_token.in_(part)))
        out.update({t: _key(p, d) for t, p, d in rows})
    return out


# --- the release ledger ----------------------------------------------------------------------


async def insert_releases(conn: AsyncConnection, rows: list[dict]) -> None:
    await conn.execute(insert(Release.__table__), rows)


async def released_since(session: AsyncSession, since: datetime) -> list[int]:
    """The access ids released at or after a time (the single-use check's memory)."""
    rows = await session.execute(select(Release.access_id).where(Release.released_at >= since))
    return list(rows.scalars())


async def last_released_before(session: AsyncSession, before: datetime) -> int:
    """The newest access id released before a time (0: none)."""
    found = (await session.execute(select(func.max(Release.access_id))
                                   .where(Release.released_at < before))).scalar()
    return int(found or 0)


async def releases_after(session: AsyncSession, after: int, limit: int) -> list[Release]:
    rows = await session.execute(select(Release).where(Release.access_id > after)
                                 .order_by(Release.access_id).limit(limit))
    return list(rows.scalars())


# --- reidentify's questions ----------------------------------------------------------------

# the columns of a person-level record an identity is built from
IDENTITY_COLUMNS = ("given_name", "family_name", "date_of_birth", "sex", "address",
                    "postcode", "received_seq", "partner")


def identity_statement(level: str):
    """The person (or the household's members) outer-joined to their person-level records,
    only the columns an identity needs; the pseudonym is the bound parameter `pseudonym`.
    One statement a request: under concurrent unlocks the round trips were the cost."""
    records = [getattr(IdentityRecord, c) for c in IDENTITY_COLUMNS]
    joined = and_(IdentityRecord.person_id == Person.id, IdentityRecord.level == "person")
    columns = (Person.id.label("person_id"), Person.withheld, Person.merged_into, *records)
    if level == "person":
        return (select(*columns).select_from(Person).outerjoin(IdentityRecord, joined)
                .where(Person.pseudonym == bindparam("pseudonym")))
    return (select(*columns).select_from(Household)
            .outerjoin(Person, and_(Person.household_id == Household.id,
                                    Person.merged_into.is_(None)))
            .outerjoin(IdentityRecord, joined)
            .where(Household.pseudonym == bindparam("pseudonym")))


async def identity_rows(session: AsyncSession, level: str, pseudonym: str) -> list:
    """The rows of `identity_statement` for one pseudonym."""
    return (await session.execute(identity_statement(level), {"pseudonym": pseudonym})).all()


async def partner_local_ids(session: AsyncSession, partner: str, person_ids: list[int],
                            household_id: int | None) -> list[tuple[str, str]]:
    """(dataset, local id) of the partner's records of these persons, and of the
    household's property records: distinct, in order."""
    conditions = []
    if person_ids:
        conditions.append(IdentityRecord.person_id.in_(person_ids))
    if household_id is not None:
        conditions.append((IdentityRecord.household_id == household_id)
                          & (IdentityRecord.level == "property"))
    rows = await session.execute(
        select(IdentityRecord.dataset, IdentityRecord.local_id)
        .where(IdentityRecord.partner == partner, or_(*conditions))
        .distinct().order_by(IdentityRecord.dataset, IdentityRecord.local_id))
    return [tuple(r) for r in rows]


# --- retention and subject access --------------------------------------------------------

# Kept whatever the agreement says: opt-out records, and the records of a person who
# objected (withheld), which are how a new record of theirs is recognised and withheld.
_WITHHELD = select(Person.id).where(Person.withheld.is_(True))
OBJECTION = or_(IdentityRecord.purpose == "optout", IdentityRecord.person_id.in_(_WITHHELD))
DATA = and_(IdentityRecord.purpose == "data",
            or_(IdentityRecord.person_id.is_(None), IdentityRecord.person_id.not_in(_WITHHELD)))


async def delete_data(session: AsyncSession, *where) -> int:
    """Delete the data records (never an objection's) matching `where`; how many."""
    result = await session.execute(delete(IdentityRecord).where(DATA, *where))
    return result.rowcount or 0


async def delete_agreement_data(session: AsyncSession, agreement: str) -> int:
    return await delete_data(session, IdentityRecord.agreement == agreement)


async def agreement_holdings(session: AsyncSession, agreement: str) -> dict[str, int]:
    """Records and persons held under an agreement: data, and objections kept."""
    mine = IdentityRecord.agreement == agreement
    counts = {}
    for name, kind in (("identity_records", DATA), ("objection_records", OBJECTION)):
        n, persons = (await session.execute(
            select(func.count(), func.count(distinct(IdentityRecord.person_id)))
            .where(mine, kind))).one()
        counts[name] = int(n)
        counts["persons" if kind is DATA else "objecting_persons"] = int(persons)
    return counts


async def household_pseudonym(session: AsyncSession, household_id: int) -> str | None:
    return await session.scalar(select(Household.pseudonym)
                                .where(Household.id == household_id))


async def records_in_order(session: AsyncSession, person_id: int) -> list[IdentityRecord]:
    """A person's records (both levels), oldest first."""
    return list(await session.scalars(
        select(IdentityRecord).where(IdentityRecord.person_id == person_id)
        .order_by(IdentityRecord.received_seq)))


async def persons_matching(session: AsyncSession, family: str, born, given_first: str | None,
                           postcode: str | None, limit: int) -> list[tuple[str, int]]:
    """(pseudonym, matching records) of persons with a record of this normalised family
    name and date of birth (and given name's first token and postcode, when given)."""
    where = [IdentityRecord.norm_family == family, IdentityRecord.date_of_birth == born,
             IdentityRecord.person_id.is_not(None)]
    if given_first is not None:
        where.append(IdentityRecord.norm_given_first == given_first)
    if postcode is not None:
        where.append(IdentityRecord.norm_postcode == postcode)
    rows = await session.execute(
        select(Person.pseudonym, func.count()).join(
            IdentityRecord, IdentityRecord.person_id == Person.id)
        .where(*where).group_by(Person.pseudonym).order_by(Person.pseudonym).limit(limit))
    return [(p, int(n)) for p, n in rows]


# --- the council's postcode lookup ---------------------------------------------------------


async def replace_postcode_areas(session: AsyncSession, rows: list[dict]) -> None:
    await session.execute(delete(PostcodeArea))
    for part in chunks(rows):
        await session.execute(insert(PostcodeArea.__table__), part)


async def lsoas_of(session: AsyncSession, postcodes: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in chunks(set(postcodes)):
        rows = await session.execute(select(PostcodeArea.postcode, PostcodeArea.lsoa)
                                     .where(PostcodeArea.postcode.in_(part)))
        out.update({pc: lsoa for pc, lsoa in rows})
    return out


async def relocate_households(session: AsyncSession) -> set[int]:
    """Set every household's LSOA from the lookup and the postcode its records give its
    address; returns the households whose LSOA changed."""
    found = (select(IdentityRecord.address_key, func.max(PostcodeArea.lsoa).label("lsoa"))
             .join(PostcodeArea, PostcodeArea.postcode == IdentityRecord.norm_postcode)
             .where(IdentityRecord.address_key.is_not(None))
             .group_by(IdentityRecord.address_key).subquery())
    rows = await session.execute(
        select(Household.id, Household.lsoa, found.c.lsoa)
        .outerjoin(found, found.c.address_key == Household.address_key))
    changed = {hid: new for hid, old, new in rows if old != new}
    for part in chunks(list(changed.items())):
        await session.execute(update(Household.__table__).where(
            Household.__table__.c.id == bindparam("hid")).values(lsoa=bindparam("new_lsoa")),
            [{"hid": h, "new_lsoa": v} for h, v in part])
    return set(changed)


async def living_in(session: AsyncSession, household_ids: Iterable[int]
                    ) -> tuple[set[int], set[str]]:
    """The persons of these households, and their property records' tokens."""
    persons: set[int] = set()
    tokens: set[str] = set()
    for part in chunks(set(household_ids)):
        persons.update((await session.execute(select(Person.id).where(
            Person.household_id.in_(part), Person.merged_into.is_(None)))).scalars())
        tokens.update((await session.execute(select(IdentityRecord.record_token).where(
            IdentityRecord.household_id.in_(part), IdentityRecord.level == "property",
            IdentityRecord.purpose == "data"))).scalars())
    return persons, tokens
