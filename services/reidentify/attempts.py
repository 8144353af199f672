"""Every attempt at an audited route (unlock, partner lookup) is logged exactly once.

The route class wraps the whole request, so attempts refused before the endpoint runs
(no or bad token, revoked token, wrong role or scope, invalid body) are logged too.
The endpoint logs its own outcome through the same ``Attempt``; whatever it has not
logged when the request ends (refused early, failed, cancelled) the wrapper logs,
and an attempt whose append has started is never appended again.

Who is taken from a token only when its signature verifies; otherwise the entry names
``UNAUTHENTICATED``. Nothing of the token and nothing but the pseudonym and purpose of
an unaccepted body is written.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from services.common.problems import Problem
from services.common.tokens import TokenError
from services.reidentify.ledger import Ledger

log = logging.getLogger("tessera.reidentify.attempts")

UNAUTHENTICATED = "(unauthenticated)"
UNLOCK = "unlock"
PARTNER_LOOKUP = "partner-lookup"
BODY_LIMITS = (("pseudonym", 64), ("purpose", 100))


class Attempt:
    """One request's entry in the access log: appended at most once."""

    def __init__(self, ledger: Ledger, action: str):
        self.ledger = ledger
        self.action = action
        self.started = False
        self.seq: int | None = None

    async def record(self, fields: dict) -> int:
        if self.started:
            raise RuntimeError("this attempt is already logged")
        self.started = True
        action = None if self.action == UNLOCK else self.action  # unlocks hash as before
        entry = await self.ledger.append({**fields, "action": action})
        self.seq = entry.seq
        return entry.seq


def audited(action: str) -> Callable:
    """Mark an endpoint as an audited door (read by ``AuditedRoute``)."""

    def mark(endpoint: Callable) -> Callable:
        endpoint.audit_action = action
        return endpoint

    return mark


def _who(request: Request) -> tuple[str, str | None]:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        try:
            claims = request.app.state.verifier.verify(token.strip())
        except TokenError:
            return UNAUTHENTICATED, None
        return claims.sub, claims.org
    return UNAUTHENTICATED, None


async def _body_fields(request: Request) -> dict:
    try:
        data = json.loads(await request.body())
    except Exception:  # noqa: BLE001 - an unreadable body names no pseudonym
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, limit in BODY_LIMITS
            if isinstance(value := data.get(key), str) and 0 < len(value) <= limit}


def _reason(exc: BaseException) -> tuple[str, str]:
    """(outcome, reason) for an attempt the endpoint did not log."""
    if isinstance(exc, Problem):
        if exc.status == 401:
            return "refused", "revoked" if exc.detail == "token revoked" else "unauthenticated"
        if exc.status == 403:
            return "refused", "not-permitted"
        if exc.status < 500:
            return "refused", "invalid-request"
        return "error", "internal"
    if isinstance(exc, RequestValidationError):
        return "refused", "invalid-request"
    if isinstance(exc, asyncio.CancelledError):
        return "error", "cancelled"
    return "error", "internal"


async def record_unlogged(request: Request, attempt: Attempt, exc: BaseException) -> None:
    outcome, reason = _reason(exc)
    sub, org = _who(request)
    fields = {"sub": sub, "org": org, "pseudonym": None, "rule_id": None, "purpose": None,
              "justification": None, **await _body_fields(request),
              "outcome": outcome, "reason": reason}
    seq = await attempt.record(fields)
    log.info("%s %s (%s), access %d", attempt.action, outcome, reason, seq)
    if isinstance(exc, Problem):
        exc.extra.setdefault("access_id", seq)


class AuditedRoute(APIRoute):
    def get_route_handler(self) -> Callable:
        original = super().get_route_handler()
        action = getattr(self.endpoint, "audit_action", UNLOCK)

        async def handler(request: Request) -> Response:
            attempt = Attempt(request.app.state.reidentifier.ledger, action)
            request.state.attempt = attempt
            try:
                return await original(request)
            except BaseException as exc:
                if not attempt.started and isinstance(exc, Exception | asyncio.CancelledError):
                    await record_unlogged(request, attempt, exc)
                raise

        return handler
