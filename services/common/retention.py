"""Data-sharing agreements as every slice keeps them: purposes, retention, ending.

Each slice stores the agreements the gateway announces (``AgreementNotice`` on
``tessera.registry.agreements``) in its own ``agreements`` table, built from
``AgreementMixin``, and uses these helpers to know what has outlived its
agreement: a record is expired when it was received longer ago than its
agreement's retention period, and every record of an ended agreement goes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import JSON, ColumnElement, Date, Integer, String, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.common import messages as m
from services.common.auth import require_roles
from services.common.db import UTCDateTime, utcnow
from services.common.durations import parse_duration
from services.common.problems import AUTHENTICATED, Problem
from services.common.reconcile import Reconciler, lacks
from services.common.repository import all_agreements, ended_agreements, retention_periods
from services.common.sessions import SessionDep
from services.common.state import dependency
from services.common.subject_access import HoldsPeople
from services.common.tokens import Claims

Clock = Callable[[], datetime]


class AgreementMixin:
    """The latest state of one agreement, as announced by the gateway."""

    __tablename__ = "agreements"
    agreement: Mapped[str] = mapped_column(String(100), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    purposes: Mapped[list] = mapped_column(JSON)
    retention: Mapped[str | None] = mapped_column(String(50), nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@dataclass
class Stored:
    changed: bool
    ended: bool


async def store_notice(session: AsyncSession, model, notice: m.AgreementNotice) -> Stored:
    """Keep the latest revision; says whether it changed and whether the agreement ended.

    An ending is final, as the gateway has it (an ended agreement is never changed): a
    held ending outlives any later revision, and an ending applies even at a revision no
    later than the one held, which a gateway restored from an older backup may give it."""
    row = await session.get(model, notice.agreement)
    if row is not None and not lacks(row, notice):
        return Stored(False, row.ended_on is not None)
    ended_on = (row.ended_on if row is not None else None) or notice.ended_on
    fields = {"revision": max(notice.revision, row.revision if row is not None else 0),
              "purposes": list(notice.purposes), "retention": notice.retention,
              "valid_to": notice.valid_to, "ended_on": ended_on, "updated_at": utcnow()}
    if row is None:
        session.add(model(agreement=notice.agreement, **fields))
    else:
        for name, value in fields.items():
            setattr(row, name, value)
    await session.flush()
    return Stored(True, ended_on is not None)


async def ended(session: AsyncSession, model) -> set[str]:
    """The agreements that have ended."""
    return await ended_agreements(session, model)


async def cutoffs(session: AsyncSession, model, now: datetime) -> dict[str, datetime]:
    """Agreement -> the receipt time before which its records have outlived retention."""
    out: dict[str, datetime] = {}
    for agreement, retention in await retention_periods(session, model):
        try:
            out[agreement] = now - parse_duration(retention)
        except ValueError:
            continue  # an unreadable period deletes nothing; the gateway refuses them
    return out


async def expired(session: AsyncSession, model, now: datetime, *,
                  held_under: Callable[[str], ColumnElement], received) -> ColumnElement | None:
    """The condition a slice's retention sweep deletes by: records held under an
    agreement (`held_under(agreement)`) received before its retention cut-off, or held
    under an ended agreement. None when nothing can have expired."""
    cut = await cutoffs(session, model, now)
    gone = await ended(session, model)
    conditions = [and_(held_under(a), received < c) for a, c in cut.items()]
    conditions += [held_under(a) for a in sorted(gone)]
    return or_(*conditions) if conditions else None


def pack(agreements: Iterable[str]) -> str | None:
    """A set of agreement ids as one portable, searchable column value: " a b "."""
    ids = sorted(set(agreements))
    return f" {' '.join(ids)} " if ids else None


def unpack(value: str | None) -> list[str]:
    return (value or "").split()


def holds(column, agreement: str):
    """SQL: the packed column includes this agreement (LIKE with escaping; portable)."""
    return column.contains(f" {agreement} ", autoescape=True)


# --- what every slice serves: its holdings per agreement and the sweep ----------------


Admin = Annotated[Claims, Depends(require_roles("admin"))]
Reader = Annotated[Claims, Depends(require_roles("admin", "auditor"))]


def _datetime_string(value):
    if not isinstance(value, str | datetime):
        raise ValueError("must be an ISO 8601 date-time string with a UTC offset")
    return value


class SweepBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: Annotated[datetime, BeforeValidator(_datetime_string)] | None = Field(
        default=None, description="Sweep as if it were this time (not in production)")


class AgreementObeyed(BaseModel):
    """An agreement as this slice obeys it: the latest revision the gateway announced."""

    agreement: str
    revision: int
    purposes: list[str]
    retention: str | None
    valid_to: date | None
    ended_on: date | None


class Holdings(BaseModel):
    """What one slice holds under one agreement: counts only."""

    agreement: str
    service: str
    counts: dict[str, int]


class Swept(BaseModel):
    service: str
    deleted: int = Field(description="rows deleted by this sweep")


class Slice(Protocol):
    """What a slice's retention object offers the shared routes and the reconciler."""

    async def notice(self, session: AsyncSession, message: m.AgreementNotice,
                     delivery) -> None: ...
    async def sweep(self, as_of: datetime | None = None) -> int: ...
    async def holdings(self, session: AsyncSession, agreement: str) -> dict[str, int]: ...


@dataclass(kw_only=True, eq=False)
class Retains(HoldsPeople):
    """The state of a slice that keeps rows for its agreements' periods and sweeps them."""

    retention: Slice
    reconciler: Reconciler  # its agreements made to agree with the registry at start-up

    def readiness(self) -> dict[str, bool]:
        return {**super().readiness(), "agreements": self.reconciler.done}

    def waiting_for(self) -> dict[str, str]:
        waiting = super().waiting_for()
        if not self.reconciler.done:
            waiting["agreements"] = ("not reconciled with the gateway's registry: "
                                     + self.reconciler.waiting_for)
        return waiting


RetentionState = Annotated[Retains, Depends(dependency(Retains))]


def build_router(agreement_model) -> APIRouter:
    """Routes for a slice's ``Retains.retention``, admin and auditor clearance."""
    router = APIRouter(prefix="/v1", tags=["agreements"], responses=AUTHENTICATED)

    @router.get("/agreements", name="list_agreements")
    async def known_agreements(session: SessionDep, claims: Reader) -> list[AgreementObeyed]:
        """The agreements this slice has been told of, as it obeys them."""
        return [AgreementObeyed(agreement=a.agreement, revision=a.revision,
                                purposes=a.purposes, retention=a.retention,
                                valid_to=a.valid_to, ended_on=a.ended_on)
                for a in await all_agreements(session, agreement_model)]

    @router.get("/agreements/{agreement}/holdings", name="get_agreement_holdings")
    async def holdings(agreement: str, state: RetentionState, session: SessionDep,
                       claims: Reader) -> Holdings:
        """What this slice holds under one agreement: counts only."""
        counts = await state.retention.holdings(session, agreement)
        return Holdings(agreement=agreement, service=state.name, counts=counts)

    @router.post("/retention/sweep", name="sweep_retention")
    async def sweep(state: RetentionState, claims: Admin, body: SweepBody | None = None
                    ) -> Swept:
        """Run the retention sweep now (it also runs periodically)."""
        as_of = body.as_of if body else None
        if as_of is not None:
            if state.rt.settings.environment == "production":
                raise Problem(403, "Forbidden", "as_of is not accepted in production")
            if as_of.tzinfo is None:
                raise Problem(422, "Request is not valid", "field 'as_of': needs a UTC offset")
        deleted = await state.retention.sweep(as_of)
        return Swept(service=state.name, deleted=deleted)

    return router
