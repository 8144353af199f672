"""Every query of the identity slice (set-based: IN lists in chunks, never a full scan)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.pseudonymiser.models import (
    ConsentRecord,
    Household,
    IdentityRecord,
    LinkageModelVersion,
    Person,
    ReviewPair,
)

# IN-lists and multi-row inserts per statement: well under the 32,766 parameters SQLite
# and asyncpg allow, and few enough round trips for a batch of thousands.
CHUNK = 2000


def chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    items = list(values)
    for i in range(0, len(items), size):
        yield items[i:i + size]


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


async def candidates(session: AsyncSession, dobs: set[date], nhs: set[str]
                     ) -> list[IdentityRecord]:
    """Held person-level records sharing a blocking date of birth or an NHS number."""
    out: dict[str, IdentityRecord] = {}
    dob_list, nhs_list = sorted(dobs), sorted(nhs)
    for i in range(0, max(len(dob_list), len(nhs_list)), CHUNK):
        dpart, npart = dob_list[i:i + CHUNK], nhs_list[i:i + CHUNK]
        conditions = []
        if dpart:
            conditions.append(IdentityRecord.date_of_birth.in_(dpart))
        if npart:
            conditions.append(IdentityRecord.norm_nhs.in_(npart))
        rows = await session.scalars(select(IdentityRecord).where(
            IdentityRecord.level == "person",
            IdentityRecord.person_id.is_not(None),
            or_(*conditions),
        ))
        out.update({r.record_token: r for r in rows})
    return list(out.values())


async def persons_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Person]:
    out: dict[int, Person] = {}
    for part in chunks(set(ids)):
        rows = await session.scalars(select(Person).where(Person.id.in_(part)))
        out.update({p.id: p for p in rows})
    return out


async def households_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Household]:
    out: dict[int, Household] = {}
    for part in chunks({i for i in ids if i is not None}):
        rows = await session.scalars(select(Household).where(Household.id.in_(part)))
        out.update({h.id: h for h in rows})
    return out


async def households_by_key(session: AsyncSession, keys: Iterable[str]) -> dict[str, Household]:
    out: dict[str, Household] = {}
    for part in chunks(set(keys)):
        rows = await session.scalars(select(Household).where(Household.address_key.in_(part)))
        out.update({h.address_key: h for h in rows})
    return out


async def person_by_pseudonym(session: AsyncSession, pseudonym: str) -> Person | None:
    return await session.scalar(select(Person).where(Person.pseudonym == pseudonym))


async def household_by_pseudonym(session: AsyncSession, pseudonym: str) -> Household | None:
    return await session.scalar(select(Household).where(Household.pseudonym == pseudonym))


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


async def move_records(session: AsyncSession, from_ids: Sequence[int], to_id: int) -> list[str]:
    """Re-point every record of merged persons at the survivor; returns their tokens."""
    tokens: list[str] = []
    for part in chunks(from_ids):
        tokens += list(await session.scalars(
            select(IdentityRecord.record_token).where(IdentityRecord.person_id.in_(part))))
        await session.execute(
            update(IdentityRecord).where(IdentityRecord.person_id.in_(part))
            .values(person_id=to_id).execution_options(synchronize_session="fetch"))
    return tokens


async def latest_address_keys(session: AsyncSession, person_ids: Iterable[int]
                              ) -> dict[int, tuple[str, str | None]]:
    """Per person, the address key of their most recently received record with an address,
    and a postcode for it: that record's, else the person's most recent postcode (a record
    keyed by UPRN may carry none), so the household still gets its area."""
    best: dict[int, tuple[int, str, str | None]] = {}
    postcodes: dict[int, tuple[int, str]] = {}
    for part in chunks(set(person_ids)):
        rows = await session.execute(select(
            IdentityRecord.person_id, IdentityRecord.received_seq,
            IdentityRecord.address_key, IdentityRecord.norm_postcode,
        ).where(IdentityRecord.person_id.in_(part)))
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


async def insert_new(session: AsyncSession, model, objects: list) -> None:
    """Insert new persons or households in one statement and set their ids on the objects."""
    if not objects:
        return
    columns = [c.key for c in model.__table__.columns if c.key != "id"]
    rows = [{k: getattr(o, k) for k in columns if getattr(o, k) is not None} for o in objects]
    by_uuid = {o.uuid: o for o in objects}
    for part in chunks(rows):
        result = await session.execute(insert(model).returning(model.id, model.uuid), part)
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


async def tokens_of_persons(session: AsyncSession, person_ids: Iterable[int]
                            ) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for part in chunks(set(person_ids)):
        rows = await session.execute(select(IdentityRecord.person_id, IdentityRecord.record_token)
                                     .where(IdentityRecord.person_id.in_(part),
                                            IdentityRecord.level == "person"))
        for pid, token in rows:
            out.setdefault(pid, set()).add(token)
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


async def add_review_pairs(session: AsyncSession, pairs: dict[tuple[str, str], float],
                           model_version: str) -> int:
    """Queue pairs (token_a <= token_b) not queued before; returns how many were new."""
    if not pairs:
        return 0
    known = (await decisions_among(session, {t for p in pairs for t in p})).decided
    fresh = [{"pair_id": "rp_" + uuid.uuid4().hex, "token_a": a, "token_b": b,
              "probability": p, "model_version": model_version, "status": "pending",
              "created_at": utcnow()}
             for (a, b), p in pairs.items() if (a, b) not in known]
    for part in chunks(fresh):
        await session.execute(insert(ReviewPair), part)
    return len(fresh)


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


async def person_level_records(session: AsyncSession, batch: int = 20000):
    """Every held person-level record, in pages by received order (for the index)."""
    last = -1
    while True:
        rows = list(await session.scalars(
            select(IdentityRecord).where(IdentityRecord.level == "person",
                                         IdentityRecord.received_seq > last)
            .order_by(IdentityRecord.received_seq).limit(batch)))
        if not rows:
            return
        last = rows[-1].received_seq
        yield rows


async def active_model(session: AsyncSession) -> LinkageModelVersion | None:
    return await session.scalar(select(LinkageModelVersion)
                                .order_by(LinkageModelVersion.id.desc()).limit(1))


async def save_model(session: AsyncSession, version: str, document: str) -> None:
    current = await active_model(session)
    if current is None or current.version != version:
        session.add(LinkageModelVersion(version=version, document=document))


# --- households ------------------------------------------------------------------------


async def family_names_by_household(session: AsyncSession, household_ids: Iterable[int]
                                    ) -> dict[int, list[str | None]]:
    """Per household, one family name per current member (their latest record's)."""
    latest: dict[int, tuple[int, int, str | None]] = {}
    for part in chunks(set(household_ids)):
        rows = await session.execute(
            select(Person.household_id, Person.id, IdentityRecord.received_seq,
                   IdentityRecord.norm_family)
            .join(IdentityRecord, IdentityRecord.person_id == Person.id)
            .where(Person.household_id.in_(part), Person.merged_into.is_(None)))
        for hid, pid, seq, family in rows:
            if pid not in latest or (family and seq > latest[pid][1]):
                latest[pid] = (hid, seq, family)
    out: dict[int, list[str | None]] = {}
    for hid, _, family in latest.values():
        out.setdefault(hid, []).append(family)
    return out


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


async def move_tokens(session: AsyncSession, tokens: Sequence[str], person_id: int
                      ) -> list[str]:
    for part in chunks(tokens):
        await session.execute(
            update(IdentityRecord).where(IdentityRecord.record_token.in_(part))
            .values(person_id=person_id).execution_options(synchronize_session="fetch"))
    return list(tokens)


async def mark_institutions(session: AsyncSession, household_ids: Sequence[int],
                            reason: str) -> None:
    for part in chunks(household_ids):
        await session.execute(update(Household).where(Household.id.in_(part))
                              .values(institution=reason)
                              .execution_options(synchronize_session="fetch"))


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
