"""The identity slice under data-sharing agreements: tag, purge, sweep, report, subject access.

Every identity record keeps the agreement it arrived under. Data records of an ended
agreement go at once; the retention sweep deletes data records received longer ago than
their agreement's retention period. Opt-out records, and the records of a person who
objected, are kept: they are how the person is recognised when new records arrive, and
deleting them would undo the objection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import bus, erasure
from services.common import messages as m
from services.common import retention as common
from services.common.problems import AUTHENTICATED, problem_responses
from services.common.runtime import Runtime
from services.common.schemas import IsoDate, RequestBody
from services.common.sessions import SessionDep
from services.common.subject_access import CASE_PATTERN, DPO, PeopleState, authorise
from services.pseudonymiser import normalise
from services.pseudonymiser import repository as repo
from services.pseudonymiser.models import Agreement, IdentityRecord

log = logging.getLogger("tessera.pseudonymiser")



class Retention:
    def __init__(self, rt: Runtime, service, clock: Callable[[], datetime]):
        self.rt = rt
        self.service = service  # its lock keeps a sweep out of a linkage in progress
        self.clock = clock

    async def notice(self, session: AsyncSession, message: m.AgreementNotice,
                     delivery: bus.Delivery) -> None:
        stored = await common.store_notice(session, Agreement, message)
        if stored.changed and stored.ended:
            await self.service.lock.hold(session)
            deleted = await repo.delete_agreement_data(session, message.agreement)
            log.info("agreement %s ended: %d identity records deleted", message.agreement,
                     deleted)
            await erasure.agreement_ended(self.rt, session, message.agreement,
                                          {"identity_records": deleted})

    async def sweep(self, as_of: datetime | None = None) -> int:
        now = as_of or self.clock()
        async with self.service.lock.transaction(self.rt.sessionmaker) as session:
            condition = await common.expired(
                session, Agreement, now, held_under=lambda a: IdentityRecord.agreement == a,
                received=IdentityRecord.received_at)
            if condition is None:
                return 0
            deleted = await repo.delete_data(session, condition)
            await erasure.swept(self.rt, session, Agreement, now,
                                {"identity_records": deleted})
        if deleted:
            log.info("retention sweep: %d identity records deleted", deleted)
        return deleted

    async def holdings(self, session: AsyncSession, agreement: str) -> dict[str, int]:
        return await repo.agreement_holdings(session, agreement)

    async def subject(self, session: AsyncSession, pseudonym: str) -> dict:
        person = await repo.person_by_pseudonym(session, pseudonym)
        if person is None:
            return {"found": False, "records": []}
        household = None
        if person.household_id is not None:
            household = await repo.household_pseudonym(session, person.household_id)
        rows = await repo.records_in_order(session, person.id)
        records = [{
            "partner": r.partner, "dataset": r.dataset, "agreement": r.agreement,
            "purpose": r.purpose, "received_at": r.received_at,
            **{name: getattr(r, name) for name in m.IDENTITY_FIELDS},
        } for r in rows]
        return {"found": True, "household": household, "withheld": person.withheld,
                "records": records}


# --- finding the person a subject access request is about ------------------------------


class SubjectQuery(RequestBody):
    case: str = Field(min_length=1, max_length=40, pattern=CASE_PATTERN,
                      description="The open subject access case this search serves")
    family_name: str = Field(min_length=1, max_length=200)
    date_of_birth: IsoDate
    given_name: str | None = Field(default=None, max_length=200)
    postcode: str | None = Field(default=None, max_length=20)


class SubjectMatch(BaseModel):
    pseudonym: str
    matching_records: int


class SubjectMatches(BaseModel):
    """The person pseudonyms a subject access search found, under its access-log entry."""

    case: str
    access_id: int
    persons: list[SubjectMatch]


router = APIRouter(prefix="/v1", tags=["subject access"],
                   responses={**AUTHENTICATED, **problem_responses(429, 503)})


@router.post("/subject-access/search", name="find_subject")
async def find_subject(body: SubjectQuery, state: PeopleState, session: SessionDep,
                       claims: DPO) -> SubjectMatches:
    """The person pseudonyms whose records match (family name and date of birth, and the
    given name's first token and postcode when given), for an open subject access case
    (role `dpo`; the search is in the access log first); then ask each slice for
    /v1/subject-access/{pseudonym}."""
    access_id = await authorise(state, claims, body.case, "search", None)
    found = await repo.persons_matching(
        session, normalise.name(body.family_name), body.date_of_birth,
        normalise.first_name_token(body.given_name) if body.given_name else None,
        normalise.postcode(body.postcode) if body.postcode else None, limit=100)
    persons = [SubjectMatch(pseudonym=p, matching_records=n) for p, n in found]
    if persons:  # who was found is in the log before the DPO is told, and bounds the case
        await authorise(state, claims, body.case, "found",
                        found=[p.pseudonym for p in persons], ref=access_id)
    return SubjectMatches(case=body.case, access_id=access_id, persons=persons)
