"""Every attempt at an audited door (unlock, partner lookup) is logged exactly once.

An ``Attempt`` is made when a request reaches a door: it authenticates the caller once
(``Gatekeeper.authenticate``, the same function every route uses) and holds the
request's single access-log entry. The endpoint logs its own outcome through it;
whatever it has not logged when the request ends (refused by the token, role, scope or
body checks, failed, cancelled) ``settle`` logs, and an attempt whose append has started
is never appended again. The fast path (``fastpath.py``) and the route
(``AuditedRoute``) use the same ``Attempt`` and ``audit`` context.

Who is taken from a token only when its signature verifies; otherwise the entry names
``UNAUTHENTICATED``. Nothing of the token and nothing but the pseudonym and purpose of
an unaccepted body is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from services.common.gatekeeper import AuthFailure, Gatekeeper
from services.common.problems import Problem
from services.common.state import SliceState, state_of
from services.common.tokens import Claims
from services.reidentify.ledger import Entry, Ledger

log = logging.getLogger("tessera.reidentify.attempts")

UNAUTHENTICATED = "(unauthenticated)"
UNLOCK = "unlock"
PARTNER_LOOKUP = "partner-lookup"
BODY_LIMITS = (("pseudonym", 64), ("purpose", 100))


class Attempt:
    """One request at a door: its caller, authenticated once, and its single entry."""

    def __init__(self, ledger: Ledger, action: str, claims: Claims | None = None,
                 failure: AuthFailure | None = None):
        self.ledger = ledger
        self.action = action
        self.started = False
        self.seq: int | None = None
        self.claims = claims
        self.failure = failure

    @classmethod
    def at_door(cls, ledger: Ledger, action: str, gatekeeper: Gatekeeper,
                authorization: str | None) -> Attempt:
        """An attempt whose caller is authenticated from the Authorization header."""
        try:
            return cls(ledger, action, claims=gatekeeper.authenticate(authorization))
        except AuthFailure as failure:
            return cls(ledger, action, failure=failure)

    @property
    def authenticated(self) -> Claims | AuthFailure:
        """What ``services.common.auth.verified_claims`` is to take for this request."""
        return self.claims if self.claims is not None else self.failure  # type: ignore[return-value]

    def who(self) -> tuple[str, str | None]:
        claims = self.claims or (self.failure.claims if self.failure else None)
        return (claims.sub, claims.org) if claims is not None else (UNAUTHENTICATED, None)

    async def record(self, fields: dict) -> Entry:
        """The attempt's entry (with ``limit`` set, written as a refusal for rate when the
        caller has used the rate: ``Ledger.append``)."""
        if self.started:
            raise RuntimeError("this attempt is already logged")
        self.started = True
        action = None if self.action == UNLOCK else self.action  # unlocks hash as before
        entry = await self.ledger.append({**fields, "action": action})
        self.seq = entry.seq
        return entry

    async def follow_up(self, fields: dict) -> int:
        """A second entry naming the first: what became of an authorised release."""
        if self.seq is None:
            raise RuntimeError("nothing to follow up")
        action = None if self.action == UNLOCK else self.action
        entry = await self.ledger.append({**fields, "action": action, "ref": self.seq})
        return entry.seq

    async def refuse(self, reason: str, body: bytes = b"") -> int:
        """Log a refusal made before the policy ran (nothing of the body but its
        pseudonym and purpose, when well formed)."""
        sub, org = self.who()
        seq = (await self.record({"sub": sub, "org": org, "pseudonym": None,
                                  "rule_id": None, "purpose": None, "justification": None,
                                  **_body_fields(body), "outcome": "refused",
                                  "reason": reason})).seq
        log.info("%s refused (%s), access %d", self.action, reason, seq)
        return seq

    async def settle(self, exc: BaseException, body: bytes) -> None:
        """Log the attempt the endpoint did not, as `exc` ended it."""
        if self.started or not isinstance(exc, Exception | asyncio.CancelledError):
            return
        outcome, reason = self._reason(exc)
        sub, org = self.who()
        seq = (await self.record({"sub": sub, "org": org, "pseudonym": None,
                                  "rule_id": None, "purpose": None, "justification": None,
                                  **_body_fields(body), "outcome": outcome,
                                  "reason": reason})).seq
        log.info("%s %s (%s), access %d", self.action, outcome, reason, seq)
        if isinstance(exc, Problem):
            exc.extra.setdefault("access_id", seq)

    @contextlib.asynccontextmanager
    async def audit(self, body: Callable[[], Awaitable[bytes]]) -> AsyncIterator[Attempt]:
        """Whatever ends the block unlogged is logged on its way out."""
        try:
            yield self
        except BaseException as exc:
            await self.settle(exc, await body())
            raise

    def _reason(self, exc: BaseException) -> tuple[str, str]:
        """(outcome, reason) for an attempt the endpoint did not log."""
        if isinstance(exc, Problem):
            if exc.status == 401:
                return "refused", self.failure.reason if self.failure else "unauthenticated"
            if exc.status == 403:
                return "refused", "not-permitted"
            if exc.status == 413:
                return "refused", "too-large"
            if exc.status < 500:
                return "refused", "invalid-request"
            return "error", "internal"
        if isinstance(exc, RequestValidationError):
            return "refused", "invalid-request"
        if isinstance(exc, asyncio.CancelledError):
            return "error", "cancelled"
        return "error", "internal"


def _body_fields(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except Exception:  # noqa: BLE001 - an unreadable body names no pseudonym
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, limit in BODY_LIMITS
            if isinstance(value := data.get(key), str) and 0 < len(value) <= limit}


def audited(action: str) -> Callable:
    """Mark an endpoint as an audited door (read by ``AuditedRoute``)."""

    def mark(endpoint: Callable) -> Callable:
        endpoint.audit_action = action
        return endpoint

    return mark


@dataclass(kw_only=True, eq=False)
class DoorState(SliceState):
    """The state a door needs: the access log every attempt is written to."""

    ledger: Ledger


def attempt_for(request: Request, action: str) -> Attempt:
    """The request's attempt (made by the door middleware), or a new one."""
    attempt = getattr(request.state, "attempt", None)
    if attempt is None:
        state = state_of(request.app, DoorState)
        attempt = Attempt.at_door(state.ledger, action, state.gatekeeper,
                                  request.headers.get("authorization"))
        request.state.attempt = attempt
    request.state.authenticated = attempt.authenticated
    return attempt


class AuditedRoute(APIRoute):
    def get_route_handler(self) -> Callable:
        original = super().get_route_handler()
        action = getattr(self.endpoint, "audit_action", UNLOCK)

        async def handler(request: Request) -> Response:
            async with attempt_for(request, action).audit(request.body):
                return await original(request)

        return handler
