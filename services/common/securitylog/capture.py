"""The middleware that turns each authenticated request into security events.

It reads what the request's authentication left (``services.common.auth`` keeps the
verified claims or the refusal on the request's state), the matched route and the
response's status, so no route has to remember to log. Recorded: a refused token
(authentication failure), each token's first use in this process (success), a 403
(authorisation refused), and the outcome of every call a token was accepted for:
a write is a ``change``, a read a ``release``. Path parameters are kept only where
they name agreements, partners, datasets, rules or batches: never a pseudonym.
"""

from __future__ import annotations

import time

from services.common.gatekeeper import AuthFailure
from services.common.tokens import Claims

# path parameters that name what was acted on and are never personal data
TARGETS = ("agreement", "agreement_id", "partner_id", "dataset", "dataset_id", "rule_id",
           "batch_id", "request_id", "case_id")
AGREEMENT = ("agreement", "agreement_id")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
SEEN_MAX = 50_000


class SecurityCapture:
    def __init__(self, app):
        self.app = app
        self._seen: dict[str, float] = {}  # jti -> exp: tokens whose first use is recorded

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        status = 500

        async def sending(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self._record(scope, status)

    def _first_use(self, claims: Claims) -> bool:
        if claims.jti in self._seen:
            return False
        if len(self._seen) >= SEEN_MAX:
            now = time.time()
            self._seen = {j: exp for j, exp in self._seen.items() if exp > now}
            if len(self._seen) >= SEEN_MAX:
                self._seen.clear()
        self._seen[claims.jti] = float(claims.raw.get("exp", 0))
        return True

    def _record(self, scope, status: int) -> None:
        known = (scope.get("state") or {}).get("authenticated")
        if known is None:
            return  # no token was asked for: health, readiness, the OpenAPI document
        app = scope.get("app")
        state = getattr(app.state, "slice", None) if app is not None else None
        events = getattr(getattr(state, "rt", None), "security", None)
        if events is None:
            return
        route = scope.get("route")
        path = getattr(route, "path", None) or "(no route)"
        action = f"{scope['method']} {path}"
        params = scope.get("path_params") or {}
        target = ",".join(f"{k}={params[k]}" for k in TARGETS if k in params) or None
        agreement = next((str(params[k]) for k in AGREEMENT if k in params), None)
        partner = str(params["partner_id"]) if "partner_id" in params else None
        record = events.log.record
        if isinstance(known, AuthFailure):
            record("authentication", "failure", action, claims=known.claims, status=status,
                   detail=known.detail, target=target, agreement=agreement, partner=partner)
            return
        if not isinstance(known, Claims):
            return
        if self._first_use(known):
            record("authentication", "success", action, claims=known)
        kind = "change" if scope["method"] in WRITES else "release"
        if status == 403:
            kind, outcome = "authorisation", "refused"
        else:
            outcome = "success" if status < 400 else "failure"
        record(kind, outcome, action, claims=known, status=status, target=target,
               agreement=agreement, partner=partner)
