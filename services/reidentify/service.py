"""Reidentify's logic: flags and opt-outs from the bus, the audited unlock, the access log.

Identities pass through ``unlock`` on their way to the caller and are never stored
or logged. Every unlock attempt is appended to the hash-chained access log exactly
once, in a transaction of its own, before the answer (or the error) is returned.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import nats.errors
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common import messages as m
from services.common import subjects
from services.common.db import utcnow
from services.common.problems import Problem
from services.common.sealing import Opener, Unsealable
from services.common.tokens import Claims
from services.common.trust import Untrusted
from services.reidentify import repository
from services.reidentify.attempts import PARTNER_LOOKUP, UNLOCK, Attempt
from services.reidentify.ledger import Entry, Ledger
from services.reidentify.metrics import ReidentifyMetrics
from services.reidentify.policy import ActiveFlag, PolicyState

log = logging.getLogger("tessera.reidentify")

IDENTITY_FIELDS = ("given_name", "family_name", "date_of_birth", "address", "postcode")


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# --- consumed messages --------------------------------------------------------------


async def apply_flags(session: AsyncSession, batch: m.FlagBatch) -> int:
    """Upsert by (pseudonym, rule_id), keeping the latest state by raised_at."""
    latest: dict[tuple[str, str], m.Flag] = {}
    for flag in batch.flags:
        key = (flag.pseudonym, flag.rule_id)
        held = latest.get(key)
        if held is None or _aware(flag.raised_at) >= _aware(held.raised_at):
            latest[key] = flag
    existing = await repository.existing_flags(session, latest.keys())
    now = utcnow()
    rows = [
        {
            "pseudonym": f.pseudonym, "rule_id": f.rule_id, "level": f.level,
            "rule_version": f.rule_version, "purposes": list(f.purposes), "active": f.active,
            "score": f.score, "indicators": f.indicators, "health": f.health,
            "non_health": f.non_health, "headlines": f.headlines, "area": f.area,
            "raised_at": _aware(f.raised_at), "updated_at": now,
        }
        for key, f in latest.items()
        if key not in existing or _aware(f.raised_at) >= existing[key]
    ]
    await repository.replace_flags(session, rows)
    log.info("flags: %d received, %d applied", len(batch.flags), len(rows))
    return len(rows)


async def apply_decision(session: AsyncSession, decision: m.ConsentDecision) -> bool:
    """Keep the effective decision per (person, scope): of two, the one with the larger
    sequence, in whichever order they are applied."""
    if not decision.effective:
        return False
    return await repository.apply_decision(session, decision)


# --- unlock -----------------------------------------------------------------------------


# What a caller is told for a refusal whose true reason would say too much: "the flag is in
# a district you do not cover" would tell a caseworker that the person is flagged
# somewhere. The access log keeps the true reason.
PUBLIC_REASON = {"district": "no-active-flag"}


class Refusal(Exception):
    def __init__(self, reason: str, status: int = 403, rule_id: str | None = None):
        super().__init__(reason)
        self.reason, self.status, self.rule_id = reason, status, rule_id

    def problem(self, action: str, access_id: int) -> Problem:
        """As the caller is told (a district refusal reads as no flag at all)."""
        public = PUBLIC_REASON.get(self.reason, self.reason)
        if self.status == 429:
            return Problem(429, "Too Many Requests", f"{action} refused: {public}",
                           headers={"Retry-After": "3600"}, reason=public,
                           access_id=access_id)
        return Problem(self.status, "Forbidden", f"{action} refused: {public}",
                       reason=public, access_id=access_id)


async def own_unlocks(session: AsyncSession, sub: str, limit: int, offset: int
                      ) -> list[dict]:
    """A caller's unlock attempts, newest first, each with what became of it and the
    reason as the caller was told it (the access log keeps the true one)."""
    attempts = await repository.own_unlocks(session, sub, limit, offset)
    after = await repository.follow_ups(session, sub, [a.seq for a in attempts])
    out = []
    for attempt in attempts:
        follow_up = after.get(attempt.seq)
        last = follow_up or attempt
        out.append({"access_id": attempt.seq, "at": attempt.at,
                    "pseudonym": attempt.pseudonym, "rule_id": attempt.rule_id,
                    "purpose": attempt.purpose, "justification": attempt.justification,
                    "outcome": last.outcome,
                    "reason": PUBLIC_REASON.get(last.reason, last.reason),
                    "follow_up": follow_up.seq if follow_up else None})
    return out


class Unavailable(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class UnlockRequest:
    pseudonym: str
    purpose: str
    justification: str


class Reidentifier:
    """The audited doors: ``unlock`` (an identity, for a cleared professional) and
    ``partner_lookup`` (a partner's own local IDs).

    The policy runs first, from memory; the rate is decided as the attempt's entry is
    chained (``Ledger.append``). An allowed attempt is written to the access log
    *before* the pseudonymiser is asked, and the request names that entry: the
    pseudonymiser answers only requests authenticated by this service for an entry not answered
    before, seals the answer to a key only this process holds, and keeps its own ledger
    of releases, which verify-log checks against the log. If nothing is then released
    (withheld, not found, no answer), a second entry says so and names the first.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], rt, *,
                 timeout_s: float, rate_per_hour: int, state: PolicyState | None = None,
                 metrics: ReidentifyMetrics | None = None):
        self.sessionmaker = sessionmaker
        self.rt = rt
        self.metrics = metrics
        self.timeout_s = timeout_s
        self.state = state or PolicyState(sessionmaker, rate_per_hour)
        self.ledger = Ledger(sessionmaker, self.state)
        self.opener = Opener()  # its private half never leaves this process

    async def append(self, fields: dict) -> Entry:
        """Append one entry to the chain; returns when it is committed (group commit)."""
        return await self.ledger.append(fields)

    def _allowed(self, claims: Claims, req: UnlockRequest, partner: str | None) -> ActiveFlag:
        state = self.state
        if req.purpose not in claims.purposes:
            raise Refusal("purpose")
        flags = [f for f in state.active_flags(req.pseudonym) if req.purpose in f.purposes]
        if not flags:
            raise Refusal("no-active-flag")
        # a partner token may omit districts (a GP is not bound to one); if it names
        # districts they bind it like a clearance
        in_district = [f for f in flags if partner is not None and not claims.districts
                       or f.area is not None and f.area in claims.districts]
        if not in_district:
            raise Refusal("district", rule_id=flags[0].rule_id)
        flag = in_district[0]
        if not state.purpose_covered(flag, req.purpose):
            raise Refusal("purpose", rule_id=flag.rule_id)  # not its agreements' purpose
        scopes = ("all", f"purpose:{req.purpose}") if partner is None else (
            "all", f"purpose:{req.purpose}", f"partner:{partner}")
        if state.opted_out(req.pseudonym, scopes):
            raise Refusal("consent", rule_id=flag.rule_id)
        return flag

    async def _ask(self, flag: ActiveFlag, partner: str | None, access_id: int,
                   claims: Claims) -> m.Released:
        request = m.ReidentifyRequest(pseudonym=flag.pseudonym, level=flag.level,
                                      partner=partner, access_id=access_id, sub=claims.sub,
                                      org=claims.org, issued_at=utcnow(),
                                      reply_key=self.opener.public)
        try:
            reply: m.ReidentifyReply = await self.rt.request(
                subjects.REIDENTIFY, request, timeout=self.timeout_s)
        except (nats.errors.Error, TimeoutError, Untrusted, ValidationError) as exc:
            log.warning("reidentify request failed: %s", type(exc).__name__)
            raise Unavailable("pseudonymiser-unavailable") from None
        if reply.refused is not None:
            log.error("the pseudonymiser refused access %d (%s)", access_id, reply.refused)
            raise Unavailable("pseudonymiser-refused")
        if reply.withheld:
            raise Refusal("consent", rule_id=flag.rule_id)
        if not reply.found:
            raise Refusal("no-active-flag", rule_id=flag.rule_id)
        try:
            return m.Released.model_validate_json(
                self.opener.open(reply.sealed or "", request.sealing_context()))
        except (Unsealable, ValidationError):
            log.error("the answer to access %d could not be opened", access_id)
            raise Unavailable("pseudonymiser-refused") from None

    async def unlock(self, claims: Claims, req: UnlockRequest,
                     attempt: Attempt | None = None) -> dict:
        released, seq = await self._attempt(claims, req, None, attempt)
        people = [
            {k: (v.isoformat() if k == "date_of_birth" and v is not None else v)
             for k, v in s.model_dump(include=set(IDENTITY_FIELDS)).items()}
            for s in released.subjects
        ]
        log.debug("unlock allowed, access %d, %d subjects", seq, len(people))  # in the log
        return {"subjects": people, "access_id": seq}

    async def partner_lookup(self, claims: Claims, req: UnlockRequest,
                             attempt: Attempt | None = None) -> dict:
        """The partner's own local IDs for a flagged subject, never an identity."""
        if not claims.partner:
            raise Problem(403, "Forbidden", "a partner token is required")
        released, seq = await self._attempt(claims, req, claims.partner, attempt)
        local_ids = [r.model_dump() for r in released.local_ids]
        log.debug("partner lookup allowed, access %d, %d local ids", seq, len(local_ids))
        return {"local_ids": local_ids, "access_id": seq}

    async def _attempt(self, claims: Claims, req: UnlockRequest, partner: str | None,
                       attempt: Attempt | None) -> tuple[m.Released, int]:
        """`_decide`, counted by outcome and the reason the caller is told."""
        attempt = attempt or Attempt(self.ledger, UNLOCK if partner is None else PARTNER_LOOKUP)
        outcome, reason = "error", "internal"
        try:
            released = await self._decide(claims, req, partner, attempt)
            outcome, reason = "released", ""
            return released
        except Problem as problem:
            reason = str(problem.extra.get("reason") or "internal")
            outcome = "refused" if problem.status in (403, 429) else "error"
            raise
        except asyncio.CancelledError:
            reason = "cancelled"
            raise
        finally:
            if self.metrics is not None:
                self.metrics.unlocks.labels(attempt.action, outcome, reason).inc()

    async def _decide(self, claims: Claims, req: UnlockRequest, partner: str | None,
                      attempt: Attempt) -> tuple[m.Released, int]:
        """Policy, the authorising entry, then the request to the pseudonymiser."""
        fields = {"sub": claims.sub, "org": claims.org, "pseudonym": req.pseudonym,
                  "rule_id": None, "purpose": req.purpose,
                  "justification": req.justification}
        try:
            try:
                flag = self._allowed(claims, req, partner)
            except Refusal as refusal:
                entry = await attempt.record({**fields, "rule_id": refusal.rule_id,
                                              "outcome": "refused", "reason": refusal.reason,
                                              "limit": True})
                if entry.reason == "rate":
                    refusal = Refusal("rate", 429)
                raise refusal.problem(attempt.action, entry.seq) from None
            fields["rule_id"] = flag.rule_id
            entry = await attempt.record({**fields, "outcome": "allowed", "reason": None,
                                          "limit": True})
            seq = entry.seq
            if entry.reason == "rate":
                raise Refusal("rate", 429).problem(attempt.action, seq)
            try:
                return await self._ask(flag, partner, seq, claims), seq
            except Refusal as refusal:
                after = await attempt.follow_up({**fields, "outcome": "refused",
                                                 "reason": refusal.reason})
                raise refusal.problem(attempt.action, after) from None
            except Unavailable as exc:
                after = await attempt.follow_up({**fields, "outcome": "error",
                                                 "reason": exc.reason})
                raise Problem(503, "Service Unavailable",
                              "the identity service did not answer; try again later",
                              reason="unavailable", access_id=after) from None
            except asyncio.CancelledError:  # the caller went away while it was asked
                await attempt.follow_up({**fields, "outcome": "error", "reason": "cancelled"})
                raise
            except Exception:  # authorised, then failed here: the log says so
                log.error("%s failed after access %d", attempt.action, seq)
                after = await attempt.follow_up({**fields, "outcome": "error",
                                                 "reason": "internal"})
                raise Problem(500, "Internal error", "an unexpected error occurred",
                              access_id=after) from None
        except (Problem, asyncio.CancelledError):
            raise
        except Exception as exc:
            log.error("%s failed: %s", attempt.action, type(exc).__name__)
            if attempt.started:
                raise
            entry = await attempt.record({**fields, "outcome": "error", "reason": "internal"})
            raise Problem(500, "Internal error", "an unexpected error occurred",
                          access_id=entry.seq) from None
