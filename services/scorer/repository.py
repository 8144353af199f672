"""Every query of the scorer. Set-based: one statement per batch, never one per row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import (
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import db
from services.common import messages as m
from services.common import repository as shared
from services.common import retention as common
from services.common.db import utcnow
from services.common.repository import chunks
from services.scorer.models import (
    CodeCategory,
    CohortEvent,
    CohortMeasurement,
    CohortMember,
    Evaluation,
    JourneyStep,
    OptOut,
    OutcomeMet,
    ProfileSequence,
    Rescore,
    RescoreChunk,
    RuleVersion,
    WriteLock,
)
from services.scorer.rules import Categories, CodeKey, StoredRule


async def serialize(session: AsyncSession) -> None:
    """Take the write lock (held until this transaction ends) before reading anything."""
    await db.serialize(session, WriteLock)


# --- code categories --------------------------------------------------------------------


async def categories_of(session: AsyncSession, keys: Iterable[CodeKey]) -> Categories:
    """The category and headline of each known (dataset, code)."""
    wanted = set(keys)
    out: Categories = {}
    for part in chunks({code for _, code in wanted}):
        rows = await session.execute(
            select(CodeCategory.dataset, CodeCategory.code, CodeCategory.category,
                   CodeCategory.headline).where(CodeCategory.code.in_(part)))
        out.update({(dataset, code): (category, headline)
                    for dataset, code, category, headline in rows
                    if (dataset, code) in wanted})
    return out


async def upsert_categories(session: AsyncSession, rows: list[dict],
                            known: Iterable[CodeKey] | None = None) -> None:
    """Insert or update rows; `known`: the keys already stored, when the caller read them."""
    if known is None:
        known = await categories_of(session, [(r["dataset"], r["code"]) for r in rows])
    known = set(known)
    new = [r for r in rows if (r["dataset"], r["code"]) not in known]
    old = [r for r in rows if (r["dataset"], r["code"]) in known]
    if new:
        await session.execute(insert(CodeCategory), new)
    if old:
        await session.execute(update(CodeCategory), old)


# --- rules ------------------------------------------------------------------------------


def _stored(row: RuleVersion) -> StoredRule:
    return StoredRule.model_validate({**row.document, "version": row.version})


async def current_rules(session: AsyncSession) -> list[StoredRule]:
    latest = (select(RuleVersion.rule_id, func.max(RuleVersion.version).label("v"))
              .group_by(RuleVersion.rule_id).subquery())
    rows = await session.execute(
        select(RuleVersion).join(latest, and_(RuleVersion.rule_id == latest.c.rule_id,
                                              RuleVersion.version == latest.c.v))
        .order_by(RuleVersion.rule_id))
    return [_stored(r) for r in rows.scalars()]


async def current_rule(session: AsyncSession, rule_id: str) -> StoredRule | None:
    row = (await session.execute(
        select(RuleVersion).where(RuleVersion.rule_id == rule_id)
        .order_by(RuleVersion.version.desc()).limit(1))).scalar_one_or_none()
    return _stored(row) if row else None


async def add_rule_version(session: AsyncSession, document: dict, version: int,
                           created_by: str | None) -> None:
    session.add(RuleVersion(rule_id=document["id"], version=version, document=document,
                            created_by=created_by))
    await session.flush()


# --- evaluations ------------------------------------------------------------------------


async def evaluations_of(session: AsyncSession, pseudonyms: Iterable[str],
                         rule_ids: Iterable[str]) -> dict[tuple[str, str], Evaluation]:
    rule_ids = list(rule_ids)
    out: dict[tuple[str, str], Evaluation] = {}
    if not rule_ids:
        return out
    for part in chunks(set(pseudonyms)):
        rows = await session.execute(select(Evaluation).where(
            Evaluation.pseudonym.in_(part), Evaluation.rule_id.in_(rule_ids)))
        out.update({(e.pseudonym, e.rule_id): e for e in rows.scalars()})
    return out


async def evaluations_of_rule(session: AsyncSession, rule_id: str) -> list[Evaluation]:
    rows = await session.execute(select(Evaluation).where(Evaluation.rule_id == rule_id))
    return list(rows.scalars())


async def insert_evaluations(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(insert(Evaluation), rows)


async def update_evaluations(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(update(Evaluation), rows)


async def delete_evaluations(session: AsyncSession, keys: list[tuple[str, str]]) -> None:
    for part in chunks(keys):
        await session.execute(delete(Evaluation).where(
            tuple_(Evaluation.pseudonym, Evaluation.rule_id).in_(part)))


async def calibration_rows(session: AsyncSession, rule_id: str, level: str
                           ) -> list[tuple[str | None, int, int, int, int, int]]:
    """(area, indicators, health, non_health, headlines, how many) for one rule: counts of
    counts, never a pseudonym."""
    cols = (Evaluation.area, Evaluation.indicators, Evaluation.health, Evaluation.non_health,
            Evaluation.headlines)
    stmt = (select(*cols, func.count())
            .where(Evaluation.rule_id == rule_id, Evaluation.level == level,
                   Evaluation.indicators > 0)
            .group_by(*cols))
    return [tuple(r) for r in await session.execute(stmt)]


async def take_due(session: AsyncSession, today: date, limit: int) -> list[tuple[str, str]]:
    """Up to `limit` (pseudonym, level) whose counts change by today; their mark is cleared
    (the republished profile sets the next one)."""
    rows = (await session.execute(
        select(Evaluation.pseudonym, Evaluation.level).distinct()
        .where(Evaluation.next_change.is_not(None), Evaluation.next_change <= today)
        .order_by(Evaluation.pseudonym).limit(limit))).all()
    due = [(p, lv) for p, lv in rows]
    for part in chunks([p for p, _ in due]):
        await session.execute(update(Evaluation).where(
            Evaluation.pseudonym.in_(part), Evaluation.next_change <= today)
            .values(next_change=None))
    return due


# --- opt-outs ---------------------------------------------------------------------------


async def optouts_of(session: AsyncSession, persons: Iterable[str]) -> dict[str, set[str]]:
    return await shared.optouts_of(session, OptOut, persons)


async def apply_decision(session: AsyncSession, decision: m.ConsentDecision) -> bool:
    """Keep the decision unless a later one is kept; returns whether it was kept."""
    return await shared.apply_decision(session, OptOut, decision)


# --- profile sequences ------------------------------------------------------------------


async def profile_sequences(session: AsyncSession, level: str, pseudonyms: Iterable[str]
                            ) -> dict[str, int]:
    """Pseudonym -> the sequence of its profile last applied, for those that have one."""
    out: dict[str, int] = {}
    for part in chunks(set(pseudonyms), STATE_CHUNK):
        out.update((await session.execute(
            select(ProfileSequence.pseudonym, ProfileSequence.sequence).where(
                ProfileSequence.level == level, ProfileSequence.pseudonym.in_(part)))).all())
    return out


async def newer_than(session: AsyncSession, level: str, sequence: int) -> set[str]:
    """The pseudonyms of the level whose applied sequence is larger than this one (the
    profiles a Profile message set after an export read; few, found by the index)."""
    return set((await session.execute(select(ProfileSequence.pseudonym).where(
        ProfileSequence.level == level, ProfileSequence.sequence > sequence))).scalars())


async def store_sequences(session: AsyncSession, level: str, sequences: dict[str, int]
                          ) -> None:
    """Store each pseudonym's applied sequence (replacing the one stored, which the
    caller has found smaller)."""
    for part in chunks(sequences, STATE_CHUNK):
        await session.execute(delete(ProfileSequence).where(
            ProfileSequence.level == level, ProfileSequence.pseudonym.in_(part)))
        await session.execute(insert(ProfileSequence.__table__), [
            {"pseudonym": p, "level": level, "sequence": sequences[p]} for p in part])


# --- bulk re-scores ---------------------------------------------------------------------

STATE_COLUMNS = (Evaluation.pseudonym, Evaluation.indicators, Evaluation.health,
                 Evaluation.non_health, Evaluation.headlines, Evaluation.score,
                 Evaluation.active, Evaluation.area, cast(Evaluation.next_change, String),
                 Evaluation.rule_version, Evaluation.agreements, Evaluation.rule_id)
STATE_CHUNK = 5000  # pseudonyms per IN list (well under SQLite's and asyncpg's limits)


async def evaluation_states(session: AsyncSession, pseudonyms: list[str],
                            rule_ids: list[str]) -> dict[str, list]:
    """Rule id -> the stored state of these pseudonyms under it, as plain rows
    (STATE_COLUMNS; next_change as an ISO date string). One range scan of the primary key
    between the smallest and largest pseudonym (a chunk comes in pseudonym order), then IN
    lists for those not seen in it (new ones, or where the database orders text
    differently)."""
    out: dict[str, list] = {r: [] for r in rule_ids}
    if not pseudonyms or not rule_ids:
        return out
    wanted = set(pseudonyms)
    conn = await session.connection()
    rows = (await conn.execute(select(*STATE_COLUMNS).where(
        Evaluation.pseudonym >= min(wanted), Evaluation.pseudonym <= max(wanted)))).all()
    seen = set()
    for r in rows:
        if r[0] in wanted and r[11] in out:
            out[r[11]].append(r)
            seen.add(r[0])
    for part in chunks(sorted(wanted - seen), STATE_CHUNK):
        for r in (await conn.execute(select(*STATE_COLUMNS).where(
                Evaluation.rule_id.in_(rule_ids), Evaluation.pseudonym.in_(part)))).all():
            out[r[11]].append(r)
    return out


async def raised_at_of(session: AsyncSession, pseudonyms: list[str], rule_id: str
                       ) -> dict[str, datetime | None]:
    out: dict[str, datetime | None] = {}
    for part in chunks(pseudonyms, STATE_CHUNK):
        out.update((await session.execute(select(Evaluation.pseudonym, Evaluation.raised_at)
                                          .where(Evaluation.rule_id == rule_id,
                                                 Evaluation.pseudonym.in_(part)))).all())
    return out


async def optouts_for_chunk(session: AsyncSession, persons: list[str]) -> dict[str, set[str]]:
    """Opt-outs of these persons: the whole (small) table when it is smaller than the
    list, else by IN lists."""
    opted_out = OptOut.status == shared.OPT_OUT
    total = (await session.execute(select(func.count()).where(opted_out))).scalar_one()
    if total > len(persons):
        return await optouts_of(session, persons)
    wanted = set(persons)
    out: dict[str, set[str]] = {}
    for person, scope in await session.execute(
            select(OptOut.person, OptOut.scope).where(opted_out)):
        if person in wanted:
            out.setdefault(person, set()).add(scope)
    return out


async def insert_rows(session: AsyncSession, rows: list[dict]) -> None:
    """Insert evaluations as one Core executemany (far cheaper than the ORM bulk path)."""
    if rows:
        await session.execute(insert(Evaluation.__table__), rows)


async def update_rows(session: AsyncSession, rows: list[dict]) -> None:
    """Update evaluations by primary key as one Core executemany; every row carries the
    same columns."""
    if not rows:
        return
    table = Evaluation.__table__
    fields = [k for k in rows[0] if k not in ("pseudonym", "rule_id")]
    stmt = (table.update()
            .where(table.c.pseudonym == bindparam("key_pseudonym"),
                   table.c.rule_id == bindparam("key_rule_id"))
            .values({f: bindparam(f"new_{f}", type_=table.c[f].type) for f in fields}))
    await session.execute(stmt, [
        {"key_pseudonym": r["pseudonym"], "key_rule_id": r["rule_id"],
         **{f"new_{f}": r[f] for f in fields}} for r in rows])


async def add_rescore(session: AsyncSession, request_id: str, levels: list[str]) -> Rescore:
    row = await session.get(Rescore, request_id)
    if row is None:
        row = Rescore(request_id=request_id, levels=" ".join(levels), requested_at=utcnow(),
                      profiles=0, flags=0)
        session.add(row)
        await session.flush()
    return row


async def get_rescore(session: AsyncSession, request_id: str) -> Rescore | None:
    return await session.get(Rescore, request_id)


async def record_chunk(session: AsyncSession, request_id: str, level: str, chunk: int,
                       total: int | None) -> None:
    row = await session.get(RescoreChunk, (request_id, level, chunk))
    if row is None:
        session.add(RescoreChunk(request_id=request_id, level=level, chunk=chunk, total=total))
    elif total is not None:
        row.total = max(total, row.total or 0)
    await session.flush()


async def chunks_applied(session: AsyncSession, request_id: str
                         ) -> dict[str, tuple[int, int | None]]:
    """Level -> (distinct chunks applied, total chunks when the last one has come)."""
    rows = await session.execute(
        select(RescoreChunk.level, func.count(), func.max(RescoreChunk.total))
        .where(RescoreChunk.request_id == request_id).group_by(RescoreChunk.level))
    return {level: (n, total) for level, n, total in rows}


# --- agreements and retention -----------------------------------------------------------


async def evaluation_agreements(session: AsyncSession, pseudonyms: Iterable[str]
                                ) -> list[tuple[str, str | None]]:
    """(pseudonym, packed agreements) of each stored evaluation of these pseudonyms."""
    out: list[tuple[str, str | None]] = []
    for part in chunks(set(pseudonyms)):
        out.extend(tuple(r) for r in await session.execute(
            select(Evaluation.pseudonym, Evaluation.agreements)
            .where(Evaluation.pseudonym.in_(part))))
    return out


async def set_evaluation_agreements(session: AsyncSession, pseudonyms: list[str],
                                    packed: str | None) -> None:
    """Store the packed agreements on every evaluation of these pseudonyms."""
    for part in chunks(pseudonyms):
        await session.execute(update(Evaluation).where(Evaluation.pseudonym.in_(part))
                              .values(agreements=packed))


async def evaluations_where(session: AsyncSession, condition) -> list[Evaluation]:
    """The evaluations matching `condition`."""
    return list((await session.execute(select(Evaluation).where(condition))).scalars())


async def delete_evaluations_where(session: AsyncSession, condition) -> None:
    """Delete the evaluations matching `condition`."""
    await session.execute(delete(Evaluation).where(condition))


async def holdings_of(session: AsyncSession, agreement: str) -> tuple[int, int]:
    """(evaluations, active ones) held under the agreement."""
    mine = common.holds(Evaluation.agreements, agreement)
    n, active = (await session.execute(select(
        func.count(), func.coalesce(func.sum(case((Evaluation.active, 1), else_=0)), 0))
        .where(mine))).one()
    return n, active


async def evaluations_of_pseudonym(session: AsyncSession, pseudonym: str
                                   ) -> list[Evaluation]:
    """Every evaluation of the pseudonym, by rule."""
    return list((await session.execute(select(Evaluation).where(
        Evaluation.pseudonym == pseudonym).order_by(Evaluation.rule_id))).scalars())


# --- cohorts, outcomes and journeys (services/scorer/cohorts.py) ------------------------


async def members_of(session: AsyncSession, pseudonyms: Iterable[str]
                     ) -> dict[tuple[str, str], CohortMember]:
    """(rule id, pseudonym) -> cohort membership, for these pseudonyms under any rule."""
    out: dict[tuple[str, str], CohortMember] = {}
    for part in chunks(set(pseudonyms)):
        rows = await session.execute(select(CohortMember).where(
            CohortMember.pseudonym.in_(part)))
        out.update({(r.rule_id, r.pseudonym): r for r in rows.scalars()})
    return out


async def active_scores(session: AsyncSession, pseudonyms: Iterable[str],
                        rule_ids: list[str]) -> dict[tuple[str, str], float]:
    """(pseudonym, rule id) -> score of the active flags among these (read as stored now,
    columns rather than objects the session may hold from before this transaction's
    writes)."""
    out: dict[tuple[str, str], float] = {}
    for part in chunks(set(pseudonyms)):
        rows = await session.execute(select(
            Evaluation.pseudonym, Evaluation.rule_id, Evaluation.score).where(
            Evaluation.pseudonym.in_(part), Evaluation.rule_id.in_(rule_ids),
            Evaluation.active.is_(True)))
        out.update({(p, r): score for p, r, score in rows})
    return out


async def member(session: AsyncSession, rule_id: str, pseudonym: str) -> CohortMember | None:
    return await session.get(CohortMember, (rule_id, pseudonym))


async def members_of_rule(session: AsyncSession, rule_id: str) -> list[CohortMember]:
    return list((await session.execute(select(CohortMember).where(
        CohortMember.rule_id == rule_id).order_by(CohortMember.pseudonym))).scalars())


async def members_of_keyworker(session: AsyncSession, keyworker: str, limit: int,
                               offset: int = 0) -> list[CohortMember]:
    """A page of the families still open that are allocated to ``keyworker``."""
    return list((await session.execute(select(CohortMember).where(
        CohortMember.keyworker == keyworker, CohortMember.state != "closed").order_by(
            CohortMember.rule_id, CohortMember.pseudonym).limit(limit).offset(offset)
    )).scalars())


async def members_behind(session: AsyncSession, through: str, limit: int
                         ) -> list[CohortMember]:
    """Members not yet measured through the month `through` (YYYY-MM)."""
    return list((await session.execute(select(CohortMember).where(
        (CohortMember.measured_through.is_(None)) | (CohortMember.measured_through < through))
        .order_by(CohortMember.rule_id, CohortMember.pseudonym).limit(limit))).scalars())


async def add_members(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(insert(CohortMember), rows)


async def add_steps(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(insert(JourneyStep), rows)


async def steps_of(session: AsyncSession, rule_id: str, pseudonym: str) -> list[JourneyStep]:
    return list((await session.execute(select(JourneyStep).where(
        JourneyStep.rule_id == rule_id, JourneyStep.pseudonym == pseudonym)
        .order_by(JourneyStep.id))).scalars())


async def refresh_members(session: AsyncSession, pseudonyms: list[str], area: str | None,
                          agreements: str | None) -> None:
    """A newer profile's area and agreements, on every membership of these pseudonyms."""
    for part in chunks(pseudonyms):
        await session.execute(update(CohortMember).where(CohortMember.pseudonym.in_(part))
                              .values(area=area, agreements=agreements))


async def replace_events(session: AsyncSession, events: dict[str, list[dict]]) -> None:
    """Each pseudonym's dated codes become exactly `events[pseudonym]`."""
    for part in chunks(list(events)):
        await session.execute(delete(CohortEvent).where(CohortEvent.pseudonym.in_(part)))
    rows = [row for rows in events.values() for row in rows]
    if rows:
        await session.execute(insert(CohortEvent), rows)


async def events_of(session: AsyncSession, pseudonyms: Iterable[str]
                    ) -> dict[str, list[CohortEvent]]:
    out: dict[str, list[CohortEvent]] = {}
    for part in chunks(set(pseudonyms)):
        rows = await session.execute(select(CohortEvent).where(
            CohortEvent.pseudonym.in_(part)).order_by(
                CohortEvent.occurred_on, CohortEvent.dataset, CohortEvent.code))
        for r in rows.scalars():
            out.setdefault(r.pseudonym, []).append(r)
    return out


async def add_measurements(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(insert(CohortMeasurement), rows)


async def measurements_of(session: AsyncSession, rule_id: str, pseudonym: str
                          ) -> list[CohortMeasurement]:
    return list((await session.execute(select(CohortMeasurement).where(
        CohortMeasurement.rule_id == rule_id, CohortMeasurement.pseudonym == pseudonym)
        .order_by(CohortMeasurement.month))).scalars())


async def set_measured(session: AsyncSession, keys: list[tuple[str, str]], through: str
                       ) -> None:
    for part in chunks(keys):
        await session.execute(update(CohortMember).where(
            tuple_(CohortMember.rule_id, CohortMember.pseudonym).in_(part))
            .values(measured_through=through))


async def set_eligible(session: AsyncSession, rows: list[dict]) -> None:
    """Each member's measures as the current rule version names them (one executemany)."""
    if rows:
        table = CohortMember.__table__
        await session.execute(table.update().where(
            table.c.rule_id == bindparam("b_rule"),
            table.c.pseudonym == bindparam("b_pseudonym")).values(
                eligible=bindparam("b_eligible")),
            [{"b_rule": r["rule_id"], "b_pseudonym": r["pseudonym"],
              "b_eligible": r["eligible"]} for r in rows])


async def met_of(session: AsyncSession, keys: Iterable[tuple[str, str]]
                 ) -> dict[tuple[str, str], list[OutcomeMet]]:
    """(rule id, pseudonym) -> the measures it met."""
    out: dict[tuple[str, str], list[OutcomeMet]] = {}
    for part in chunks(list(set(keys))):
        rows = await session.execute(select(OutcomeMet).where(
            tuple_(OutcomeMet.rule_id, OutcomeMet.pseudonym).in_(part)))
        for r in rows.scalars():
            out.setdefault((r.rule_id, r.pseudonym), []).append(r)
    return out


async def met_of_rule(session: AsyncSession, rule_id: str) -> list[OutcomeMet]:
    return list((await session.execute(select(OutcomeMet).where(
        OutcomeMet.rule_id == rule_id))).scalars())


async def add_met(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(insert(OutcomeMet), rows)


async def claim(session: AsyncSession, rule_id: str, pseudonym: str, at: datetime) -> int:
    """Mark every measure the member met and had not claimed as claimed; how many."""
    result = await session.execute(update(OutcomeMet).where(
        OutcomeMet.rule_id == rule_id, OutcomeMet.pseudonym == pseudonym,
        OutcomeMet.claimed_at.is_(None)).values(claimed_at=at))
    return result.rowcount or 0


async def delete_events_under(session: AsyncSession, agreement: str) -> int:
    """Drop the dated codes of members whose profile came under an agreement (its data is
    gone; the linker resends what other agreements still hold)."""
    held = select(CohortMember.pseudonym).where(
        common.holds(CohortMember.agreements, agreement))
    result = await session.execute(delete(CohortEvent).where(CohortEvent.pseudonym.in_(held)))
    return result.rowcount or 0


async def cohort_of_pseudonym(session: AsyncSession, pseudonym: str) -> dict[str, list]:
    """Everything the cohorts hold about one pseudonym (subject access)."""
    async def rows(model, *order):
        return list((await session.execute(select(model).where(
            model.pseudonym == pseudonym).order_by(*order))).scalars())
    return {"members": await rows(CohortMember, CohortMember.rule_id),
            "events": await rows(CohortEvent, CohortEvent.occurred_on, CohortEvent.code),
            "measurements": await rows(CohortMeasurement, CohortMeasurement.rule_id,
                                       CohortMeasurement.month),
            "met": await rows(OutcomeMet, OutcomeMet.rule_id, OutcomeMet.measure),
            "steps": await rows(JourneyStep, JourneyStep.id)}
