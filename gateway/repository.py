"""Every query the gateway makes: registry, batch receipts, progress."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.models import (
    Agreement,
    AgreementRevision,
    AuditHead,
    Batch,
    Code,
    Dataset,
    DeletionReceipt,
    Partner,
    Progress,
    RegistryChange,
)
from services.common.repository import chunks


async def _upsert(session: AsyncSession, model, rows: list[dict[str, Any]],
                  keys: tuple[str, ...]) -> None:
    """Insert new rows and update changed ones: one read, then one write per changed row."""
    existing = {
        tuple(getattr(obj, k) for k in keys): obj
        for obj in (await session.execute(select(model))).scalars()
    }
    for row in rows:
        obj = existing.get(tuple(row[k] for k in keys))
        if obj is None:
            session.add(model(**row))
            continue
        for name, value in row.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)


async def api_agreements(session: AsyncSession) -> set[str]:
    """Agreements changed through the API: the file seeds them, it does not override them,
    nor which datasets they cover."""
    return set(await session.scalars(select(Agreement.id).where(Agreement.managed_by == "api")))


async def seed_agreements(session: AsyncSession, agreements: list[dict]) -> None:
    api = await api_agreements(session)
    await _upsert(session, Agreement, [a for a in agreements if a["id"] not in api], ("id",))
    await session.flush()


# --- the live registry --------------------------------------------------------------------


async def partner(session: AsyncSession, partner_id: str) -> Partner | None:
    return await session.get(Partner, partner_id)


async def partners_by_id(session: AsyncSession) -> dict[str, Partner]:
    return {p.id: p for p in await session.scalars(select(Partner).order_by(Partner.id))}


async def dataset_row(session: AsyncSession, dataset_id: str) -> Dataset | None:
    return await session.get(Dataset, dataset_id)


async def registry_revision(session: AsyncSession) -> int:
    return int((await session.execute(
        select(func.coalesce(func.max(RegistryChange.seq), 0)))).scalar_one())


async def registry_changes(session: AsyncSession, after: int, limit: int
                           ) -> list[RegistryChange]:
    return list(await session.scalars(
        select(RegistryChange).where(RegistryChange.seq > after)
        .order_by(RegistryChange.seq).limit(limit)))


async def dataset(session: AsyncSession, dataset_id: str) -> tuple[Dataset, Agreement | None] | None:
    row = (await session.execute(
        select(Dataset, Agreement)
        .outerjoin(Agreement, Agreement.id == Dataset.agreement)
        .where(Dataset.id == dataset_id)
    )).first()
    return None if row is None else (row[0], row[1])


async def datasets_of(session: AsyncSession, partner: str | None = None) -> list[Dataset]:
    query = select(Dataset).order_by(Dataset.id)
    if partner is not None:
        query = query.where(Dataset.partner == partner)
    return list((await session.execute(query)).scalars())


async def codes_of(session: AsyncSession, dataset_ids: Iterable[str], *,
                   retired: bool = False) -> dict[str, list[Code]]:
    """Each dataset's codes in force (and, with `retired`, its retired ones too)."""
    ids = list(dataset_ids)
    out: dict[str, list[Code]] = {d: [] for d in ids}
    if not ids:
        return out
    query = select(Code).where(Code.dataset.in_(ids)).order_by(Code.dataset, Code.code)
    if not retired:
        query = query.where(Code.retired_on.is_(None))
    rows = await session.execute(query)
    for code in rows.scalars():
        out[code.dataset].append(code)
    return out


async def meanings_of(session: AsyncSession, keys: Iterable[tuple[str, str]]
                      ) -> dict[tuple[str, str], str | None]:
    """The meaning of each known (dataset, code), retired codes included."""
    wanted = set(keys)
    out: dict[tuple[str, str], str | None] = {}
    for part in chunks(sorted({code for _, code in wanted})):
        rows = await session.execute(
            select(Code.dataset, Code.code, Code.meaning).where(Code.code.in_(part)))
        out.update({(d, c): meaning for d, c, meaning in rows if (d, c) in wanted})
    return out


async def batch(session: AsyncSession, batch_id: str) -> Batch | None:
    return await session.get(Batch, batch_id)


def add_batch(session: AsyncSession, **fields: Any) -> Batch:
    obj = Batch(**fields)
    session.add(obj)
    return obj


async def record_progress(session: AsyncSession, batch_id: str, chunk: int, service: str,
                          processed: int) -> bool:
    """Record a chunk's count once; a repeat report of the same chunk is ignored."""
    if await session.get(Progress, (batch_id, chunk, service)) is not None:
        return False
    session.add(Progress(batch_id=batch_id, chunk=chunk, service=service, processed=processed))
    return True


async def batches_of(session: AsyncSession, partner: str, dataset: str | None,
                     limit: int, offset: int) -> list[Batch]:
    """A partner's batch receipts (of one dataset, or all), newest first."""
    query = select(Batch).where(Batch.partner == partner)
    if dataset is not None:
        query = query.where(Batch.dataset == dataset)
    rows = await session.execute(query.order_by(Batch.created_at.desc(), Batch.batch_id)
                                 .limit(limit).offset(offset))
    return list(rows.scalars())


async def progress_of(session: AsyncSession, batch_id: str) -> dict[str, tuple[int, int]]:
    """service -> (chunks reported, rows processed)."""
    return (await progress_of_each(session, [batch_id])).get(batch_id, {})


async def progress_of_each(session: AsyncSession, batch_ids: Iterable[str]
                           ) -> dict[str, dict[str, tuple[int, int]]]:
    """batch -> service -> (chunks reported, rows processed), for these batches."""
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for part in chunks(set(batch_ids)):
        rows = await session.execute(
            select(Progress.batch_id, Progress.service, func.count(),
                   func.coalesce(func.sum(Progress.processed), 0))
            .where(Progress.batch_id.in_(part))
            .group_by(Progress.batch_id, Progress.service))
        for batch_id, service, n, total in rows:
            out.setdefault(batch_id, {})[service] = (int(n), int(total))
    return out


# --- agreements (gateway/agreements.py) -------------------------------------------------


async def agreements(session: AsyncSession) -> list[Agreement]:
    return list((await session.execute(select(Agreement).order_by(Agreement.id))).scalars())


async def agreement(session: AsyncSession, agreement_id: str) -> Agreement | None:
    return await session.get(Agreement, agreement_id)


async def agreements_after(session: AsyncSession, after: str, limit: int) -> list[Agreement]:
    """Agreements with an id after ``after``, in id order (a page of the registry)."""
    rows = await session.execute(select(Agreement).where(Agreement.id > after)
                                 .order_by(Agreement.id).limit(limit))
    return list(rows.scalars())


async def datasets_by_agreement(session: AsyncSession, ids: Iterable[str] | None = None
                                ) -> dict[str, list[str]]:
    """Agreement id -> the datasets it currently covers (of these agreements, if named)."""
    out: dict[str, list[str]] = {}
    query = select(Dataset.agreement, Dataset.id).where(Dataset.agreement.is_not(None))
    if ids is not None:
        query = query.where(Dataset.agreement.in_(list(ids) or [""]))
    rows = await session.execute(query.order_by(Dataset.id))
    for agreement_id, dataset_id in rows:
        out.setdefault(agreement_id, []).append(dataset_id)
    return out


async def datasets_by_id(session: AsyncSession, ids: Iterable[str]) -> dict[str, Dataset]:
    ids = list(set(ids))
    if not ids:
        return {}
    rows = await session.execute(select(Dataset).where(Dataset.id.in_(ids)))
    return {d.id: d for d in rows.scalars()}


async def point_datasets(session: AsyncSession, agreement_id: str, dataset_ids: list[str]
                         ) -> set[str]:
    """Make exactly these datasets covered by the agreement; returns the agreements that
    lost or gave up a dataset (their dataset lists changed too)."""
    touched: set[str] = set()
    current = await session.execute(select(Dataset).where(
        (Dataset.agreement == agreement_id) | Dataset.id.in_(dataset_ids or [""])))
    for ds in current.scalars():
        if ds.id in dataset_ids and ds.agreement != agreement_id:
            if ds.agreement:
                touched.add(ds.agreement)
            ds.agreement = agreement_id
        elif ds.id not in dataset_ids and ds.agreement == agreement_id:
            ds.agreement = None
    await session.flush()
    return touched


async def receipts_of(session: AsyncSession, dataset_ids: Iterable[str]) -> tuple[int, int]:
    """(batches, rows accepted) recorded for these datasets."""
    ids = list(set(dataset_ids))
    if not ids:
        return 0, 0
    n, rows = (await session.execute(
        select(func.count(), func.coalesce(func.sum(Batch.accepted), 0))
        .where(Batch.dataset.in_(ids)))).one()
    return int(n), int(rows)


# --- the access log's signed heads ------------------------------------------------------------


async def audit_head(session: AsyncSession, seq: int) -> AuditHead | None:
    return await session.get(AuditHead, seq)


async def add_audit_head(session: AsyncSession, **values) -> None:
    session.add(AuditHead(**values))
    await session.flush()


async def audit_heads_after(session: AsyncSession, after: int, limit: int) -> list[AuditHead]:
    rows = await session.execute(select(AuditHead).where(AuditHead.seq > after)
                                 .order_by(AuditHead.seq).limit(limit))
    return list(rows.scalars())


async def keep_receipt(session: AsyncSession, **values) -> bool:
    """Keep a deletion receipt once (a redelivery brings the same id)."""
    if await session.get(DeletionReceipt, values["receipt_id"]) is not None:
        return False
    session.add(DeletionReceipt(**values))
    await session.flush()
    return True


async def receipts_for(session: AsyncSession, agreement: str | None,
                       limit: int) -> list[DeletionReceipt]:
    """The receipts of an agreement's ending, or (None) of retention sweeps, oldest first."""
    query = select(DeletionReceipt).order_by(DeletionReceipt.at, DeletionReceipt.service
                                             ).limit(limit)
    query = query.where(DeletionReceipt.agreement == agreement) if agreement is not None \
        else query.where(DeletionReceipt.agreement.is_(None))
    return list((await session.execute(query)).scalars())


async def keep_revision(session: AsyncSession, agreement: str, revision: int, actor: str,
                        terms: dict) -> None:
    """Record a revision once (a start-up re-announcing a known one adds nothing)."""
    if await session.get(AgreementRevision, (agreement, revision)) is None:
        session.add(AgreementRevision(agreement=agreement, revision=revision, actor=actor,
                                      terms=terms))


async def revisions_of(session: AsyncSession, agreement: str,
                       limit: int) -> list[AgreementRevision]:
    query = (select(AgreementRevision).where(AgreementRevision.agreement == agreement)
             .order_by(AgreementRevision.revision).limit(limit))
    return list((await session.execute(query)).scalars())
