"""Every query the gateway makes: registry, batch receipts, progress."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.models import Agreement, Batch, Code, Dataset, Partner, Progress


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


async def upsert_registry(session: AsyncSession, *, agreements: list[dict],
                          partners: list[dict], datasets: list[dict],
                          codes: list[dict]) -> None:
    await _upsert(session, Agreement, agreements, ("id",))
    await _upsert(session, Partner, partners, ("id",))
    await _upsert(session, Dataset, datasets, ("id",))
    await _upsert(session, Code, codes, ("dataset", "code"))
    await session.flush()


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


async def codes_of(session: AsyncSession, dataset_ids: Iterable[str]) -> dict[str, list[Code]]:
    ids = list(dataset_ids)
    out: dict[str, list[Code]] = {d: [] for d in ids}
    if not ids:
        return out
    rows = await session.execute(
        select(Code).where(Code.dataset.in_(ids)).order_by(Code.dataset, Code.code))
    for code in rows.scalars():
        out[code.dataset].append(code)
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


async def progress_of(session: AsyncSession, batch_id: str) -> dict[str, tuple[int, int]]:
    """service -> (chunks reported, rows processed)."""
    rows = await session.execute(
        select(Progress.service, func.count(), func.coalesce(func.sum(Progress.processed), 0))
        .where(Progress.batch_id == batch_id)
        .group_by(Progress.service))
    return {service: (int(n), int(total)) for service, n, total in rows}
