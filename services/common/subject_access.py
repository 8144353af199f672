"""Subject access (UK GDPR Art. 15) is a case, not a role.

A data protection officer opens a case at reidentify (reference, requester,
justification). Each slice then releases its own part of what it holds about a person,
and the pseudonymiser searches for a person by name and date of birth, only for a DPO
naming an open case: before it answers, the slice asks reidentify for leave
(``tessera.reidentify.subject-access``, authenticated by the slice), and reidentify checks the
case and the DPO's rate and writes the access-log entry (who, case, slice, what) first.
No response carries more than one slice's part, so identity and demand never travel
together; the DPO assembles the reply to the data subject. Auditors read and verify the
log; they do not read people.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Protocol

import nats.errors
from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.common import subjects
from services.common.auth import require_roles
from services.common.db import utcnow
from services.common.problems import AUTHENTICATED, Problem, problem_responses
from services.common.sessions import SessionDep
from services.common.state import SliceState, dependency
from services.common.tokens import Claims
from services.common.trust import Untrusted

log = logging.getLogger("tessera.subject_access")

CASE_PATTERN = r"^sar-[0-9a-f]{12,32}$"
DPO = Annotated[Claims, Depends(require_roles("dpo"))]
CaseId = Annotated[str, Query(min_length=1, max_length=40, pattern=CASE_PATTERN,
                              description="The open subject access case this serves")]
Pseudonym = Annotated[str, Path(min_length=1, max_length=64)]


class Grants(Protocol):
    """Who gives leave to release: reidentify itself, or reidentify over the bus."""

    async def grant(self, slice_: str, ask: m.ReleaseAsk) -> m.ReleaseGrant: ...


class Holder(Protocol):
    """What a slice holds about one person pseudonym, for a subject access release."""

    async def subject(self, session: AsyncSession, pseudonym: str) -> dict: ...


@dataclass(kw_only=True, eq=False)
class HoldsPeople(SliceState):
    """The state of a slice that holds rows about people: who gives leave to release them,
    what it holds about a pseudonym, and the clock its cases and sweeps read (a test moves
    it)."""

    grants: Grants
    subject_access: Holder
    clock: Callable[[], datetime] = utcnow

    def now(self) -> datetime:
        return self.clock()


PeopleState = Annotated[HoldsPeople, Depends(dependency(HoldsPeople))]


class RemoteGrants:
    """Leave asked of reidentify over the bus (every slice but reidentify)."""

    def __init__(self, rt, timeout_s: float = 5.0):
        self.rt = rt
        self.timeout_s = timeout_s

    async def grant(self, slice_: str, ask: m.ReleaseAsk) -> m.ReleaseGrant:
        try:
            return await self.rt.bus.request(subjects.SUBJECT_ACCESS, ask,
                                             timeout=self.timeout_s)
        except (nats.errors.Error, TimeoutError, Untrusted, ValidationError) as exc:
            log.warning("subject access: reidentify did not answer (%s)", type(exc).__name__)
            raise Problem(503, "Service Unavailable", "the access log did not answer; nothing "
                          "was released", reason="unavailable") from None


async def authorise(state: HoldsPeople, claims: Claims, case: str, action: str,
                    pseudonym: str | None = None, *, found: list[str] | None = None,
                    ref: int | None = None) -> int:
    """Leave to release (the access-log entry's seq), or a problem saying why not."""
    grant = await state.grants.grant(state.name, m.ReleaseAsk(
        case_id=case, action=action, pseudonym=pseudonym, found=found or [], ref=ref,
        sub=claims.sub, org=claims.org))
    if not grant.allowed:
        status, title = (429, "Too Many Requests") if grant.reason == "rate" else (
            403, "Forbidden")
        raise Problem(status, title, f"subject access refused: {grant.reason}",
                      reason=grant.reason, access_id=grant.access_id)
    log.info("subject access %s released under access %d", action, grant.access_id)
    return grant.access_id


class SubjectAccessRelease(BaseModel):
    """What one slice holds about one person pseudonym, under the access-log entry that
    records the release; the members beyond these are the slice's own (its records,
    events, flags or decisions)."""

    model_config = ConfigDict(extra="allow")
    service: str
    pseudonym: str
    case: str
    access_id: int


router = APIRouter(prefix="/v1/subject-access", tags=["subject access"],
                   responses={**AUTHENTICATED, **problem_responses(429, 503)})


@router.get("/{pseudonym}", name="release_subject_access")
async def release(pseudonym: Pseudonym, case: CaseId, claims: DPO, state: PeopleState,
                  session: SessionDep) -> SubjectAccessRelease:
    """Everything this slice holds about one person pseudonym, for an open subject access
    case (role `dpo`); the release is in the access log before it is answered."""
    # read first, in this process: what cannot be assembled is never logged as released
    held = await state.subject_access.subject(session, pseudonym)
    access_id = await authorise(state, claims, case, "export", pseudonym)
    return SubjectAccessRelease(service=state.name, pseudonym=pseudonym, case=case,
                                access_id=access_id, **held)
