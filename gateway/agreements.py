"""The data-sharing agreements registry: create, replace, end, and announce to every slice.

An agreement names a partner (or none, for a multi-party agreement), the datasets it
covers, its legal basis, purposes, retention period (ISO 8601 duration) and validity
dates. Every change bumps its revision and is announced on
``tessera.registry.agreements``; each slice keeps the latest revision and obeys it
(retention sweeps, purpose limitation, and removal of everything held under an
ended agreement). The registry file seeds agreements at start; a change to a seeded
agreement in the file is announced as a new revision too.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from gateway import repository
from gateway.models import Agreement
from services.common import bus, subjects
from services.common import messages as m
from services.common.db import utcnow
from services.common.problems import Problem
from services.common.reconcile import notice_id

log = logging.getLogger("tessera.gateway")


def in_force(agreement: Agreement | None, today: date) -> bool:
    if agreement is None or agreement.ended_on is not None:
        return False
    if agreement.valid_from and agreement.valid_from > today:
        return False
    return not (agreement.valid_to and agreement.valid_to < today)


def purposes_of(agreement: Agreement) -> list[str]:
    return [p for p in (agreement.purposes or "").split() if p]


def notice(agreement: Agreement, datasets: list[str]) -> m.AgreementNotice:
    return m.AgreementNotice(
        agreement=agreement.id, revision=agreement.revision or 1, partner=agreement.partner,
        datasets=sorted(datasets), purposes=purposes_of(agreement),
        retention=agreement.retention, valid_from=agreement.valid_from,
        valid_to=agreement.valid_to, ended_on=agreement.ended_on)


def digest(n: m.AgreementNotice) -> str:
    return hashlib.sha256(bus.encode(n.model_copy(update={"revision": 0}))).hexdigest()


def to_out(agreement: Agreement, datasets: list[str], today: date) -> dict:
    return {"id": agreement.id, "partner": agreement.partner, "datasets": sorted(datasets),
            "legal_basis": agreement.legal_basis, "purposes": purposes_of(agreement),
            "retention": agreement.retention, "valid_from": agreement.valid_from,
            "valid_to": agreement.valid_to, "ended_on": agreement.ended_on,
            "revision": agreement.revision or 1, "in_force": in_force(agreement, today)}


SEED_ACTOR = "registry.yaml"  # who made a revision seeded from the file


class Registry:
    """Agreement changes: the caller's unit of work commits them after the announcement."""

    def __init__(self, bus: bus.Bus, timeout_s: float = 10.0):
        self.bus = bus
        self.timeout_s = timeout_s

    async def announce(self, notices: list[m.AgreementNotice]) -> None:
        for n in notices:
            await self.bus.publish(subjects.AGREEMENTS, n, msg_id=notice_id(n),
                                   timeout=self.timeout_s)
        if notices:
            log.info("announced %d agreement revisions", len(notices))

    async def sync(self, session: AsyncSession) -> list[m.AgreementNotice]:
        """At start: a seeded agreement whose content changed gets a new revision; returns
        every agreement's notice (re-announcing a known revision is de-duplicated), each
        kept in the agreement's history."""
        covered = await repository.datasets_by_agreement(session)
        out = []
        for agreement in await repository.agreements(session):
            n = notice(agreement, covered.get(agreement.id, []))
            d = digest(n)
            if agreement.digest is not None and agreement.digest != d:
                agreement.revision = (agreement.revision or 1) + 1
                agreement.updated_at = utcnow()
                n = notice(agreement, covered.get(agreement.id, []))
            agreement.digest = d
            await repository.keep_revision(session, n.agreement, n.revision, SEED_ACTOR,
                                           n.model_dump(mode="json"))
            out.append(n)
        await session.flush()
        return out

    async def revise(self, session: AsyncSession, ids: set[str],
                     actor: str) -> list[m.AgreementNotice]:
        """Bump the revision of these agreements, keep each in its history with who made
        it, and announce them (their terms or the datasets they cover changed)."""
        covered = await repository.datasets_by_agreement(session)
        notices = []
        for agreement_id in sorted(ids):
            agreement = await repository.agreement(session, agreement_id)
            if agreement is None:
                continue
            agreement.revision = (agreement.revision or 0) + 1
            agreement.updated_at = utcnow()
            agreement.managed_by = "api"
            n = notice(agreement, covered.get(agreement.id, []))
            agreement.digest = digest(n)
            await repository.keep_revision(session, n.agreement, n.revision, actor,
                                           n.model_dump(mode="json"))
            notices.append(n)
        await session.flush()
        try:
            await self.announce(notices)
        except Exception as exc:
            log.warning("agreement announcement failed (%s); not recorded", type(exc).__name__)
            raise Problem(503, "Service unavailable",
                          "the message bus did not accept the change; retry",
                          headers={"Retry-After": "5"}) from None
        return notices

    async def _check_datasets(self, session: AsyncSession, partner: str | None,
                              dataset_ids: list[str]) -> None:
        found = await repository.datasets_by_id(session, dataset_ids)
        for index, dataset_id in enumerate(dataset_ids):
            ds = found.get(dataset_id)
            if ds is None:
                raise Problem(422, "Request is not valid",
                              f"datasets[{index}]: no such dataset")
            if partner is not None and ds.partner != partner:
                raise Problem(422, "Request is not valid",
                              f"datasets[{index}]: the dataset belongs to another partner")

    async def put(self, session: AsyncSession, agreement_id: str, body, actor: str, *,
                  create_only: bool = False) -> tuple[Agreement, bool]:
        """Create or replace an agreement; returns it and whether it was created."""
        existing = await repository.agreement(session, agreement_id)
        if existing is not None and create_only:
            raise Problem(409, "Conflict", "an agreement with this id exists")
        if existing is not None and existing.ended_on is not None:
            raise Problem(409, "Conflict", "the agreement has ended; register a new one")
        if body.valid_to is not None and body.valid_to < body.valid_from:
            raise Problem(422, "Request is not valid", "field 'valid_to': before valid_from")
        await self._check_datasets(session, body.partner, body.datasets)
        fields = {"partner": body.partner, "legal_basis": body.legal_basis,
                  "purposes": " ".join(dict.fromkeys(body.purposes)),
                  "retention": body.retention, "valid_from": body.valid_from,
                  "valid_to": body.valid_to}
        if existing is None:
            existing = Agreement(id=agreement_id, revision=0, **fields)
            session.add(existing)
        else:
            for name, value in fields.items():
                setattr(existing, name, value)
        await session.flush()
        touched = await repository.point_datasets(session, agreement_id, list(body.datasets))
        await self.revise(session, touched | {agreement_id}, actor)
        log.info("agreement %s stored (revision %d, %d datasets)", agreement_id,
                 existing.revision, len(body.datasets))
        return existing, create_only or existing.revision == 1

    async def end(self, session: AsyncSession, agreement_id: str, on: date,
                  actor: str) -> Agreement:
        """End an agreement: no more ingest, and every slice removes what it holds under it."""
        agreement = await repository.agreement(session, agreement_id)
        if agreement is None:
            raise Problem(404, "Not found", "no such agreement")
        if agreement.ended_on is None:
            agreement.ended_on = on
            if agreement.valid_to is None or agreement.valid_to > on:
                agreement.valid_to = on
            await self.revise(session, {agreement_id}, actor)
            log.info("agreement %s ended", agreement_id)
        return agreement
