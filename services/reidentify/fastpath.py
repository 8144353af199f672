"""POST /v1/unlock without the framework's per-request machinery, for the requests the
route would accept.

The unlock is the hot path (issue 5: p99 under 50 ms with 50 concurrent callers on two
cores). Routing through the nested routers, solving the dependency graph, validating
the body from a parsed dict and re-validating the reply against the response model
cost about as much CPU as the unlock itself. ``FastUnlock`` is pure ASGI middleware
that serves a request itself only when every check the route makes passes on the
same objects: a ``Bearer`` token that ``app.state.verifier`` verifies, not revoked
(``app.state.is_revoked``), with the role ``caseworker``, and a JSON body (declared
``application/json``, at most ``MAX_BODY`` bytes) that ``UnlockBody`` accepts. Then it
calls the same ``Reidentifier.unlock`` with its own ``Attempt`` and answers with the
same bytes the route would. Anything else (no or bad token, wrong role, invalid or
unusual body, another path) goes to the route untouched, body replayed, where
``AuditedRoute`` logs and answers it as before. The route stays declared, so the
OpenAPI document and the public contract are unchanged.
"""

from __future__ import annotations

import asyncio

from pydantic import TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from services.common.problems import Problem, problem_response
from services.common.tokens import Claims, TokenError
from services.reidentify.attempts import UNLOCK, Attempt, record_unlogged
from services.reidentify.schemas import UnlockBody, UnlockReply
from services.reidentify.service import UnlockRequest

PATH = "/v1/unlock"
ROLE = "caseworker"
MAX_BODY = 16 * 1024
_REPLY = TypeAdapter(UnlockReply)
_WANTED = (b"authorization", b"content-type", b"content-length")


class FastUnlock:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if (scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST"
                or not getattr(scope["app"].state, "fast_unlock", False)):
            return await self.app(scope, receive, send)
        found: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in _WANTED:
                if name in found:  # a repeated header: let the framework decide
                    return await self.app(scope, receive, send)
                found[name] = value
        length = found.get(b"content-length", b"")
        if (found.get(b"content-type") != b"application/json" or not length.isdigit()
                or int(length) > MAX_BODY or b"authorization" not in found):
            return await self.app(scope, receive, send)
        messages, body = [], b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return await self.app(scope, _replay(messages, receive), send)
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        state = scope["app"].state
        claims = await _claims(state, found[b"authorization"])
        if claims is None or len(body) > MAX_BODY:
            return await self.app(scope, _replay(messages, receive), send)
        try:
            parsed = UnlockBody.model_validate_json(body)
        except ValidationError:
            return await self.app(scope, _replay(messages, receive), send)
        state.fast_unlocks = getattr(state, "fast_unlocks", 0) + 1  # served here
        response = await _unlock(scope, body, state, claims, parsed)
        await response(scope, receive, send)


async def _claims(state, authorization: bytes) -> Claims | None:
    """The caller's claims when the route's dependencies would accept them, else None."""
    scheme, _, token = authorization.decode("latin-1").partition(" ")
    token = token.strip()
    if not scheme or not token or scheme.lower() != "bearer":
        return None
    try:
        claims = state.verifier.verify(token)
    except TokenError:
        return None
    revoked = getattr(state, "is_revoked", None)
    if revoked is not None and await revoked(claims.jti):
        return None
    if ROLE not in claims.roles:
        return None
    return claims


async def _unlock(scope, body: bytes, state, claims: Claims, parsed: UnlockBody) -> Response:
    reidentifier = state.reidentifier
    attempt = Attempt(reidentifier.ledger, UNLOCK)
    request = UnlockRequest(parsed.pseudonym, parsed.purpose, parsed.justification)
    try:
        result = await reidentifier.unlock(claims, request, attempt)
    except BaseException as exc:
        if not attempt.started and isinstance(exc, Exception | asyncio.CancelledError):
            known = Request(scope)
            known._body = body
            await record_unlogged(known, attempt, exc)
        if isinstance(exc, Problem):  # as services.common.problems renders it
            return problem_response(exc.status, exc.title, exc.detail, type_=exc.type,
                                    instance=Request(scope).url.path, headers=exc.headers,
                                    **exc.extra)
        raise
    return Response(_REPLY.dump_json(_REPLY.validate_python(result)),
                    media_type="application/json")


def _replay(messages: list[dict], receive):
    """`receive` that first gives back the messages already read."""
    pending = list(messages)

    async def replay():
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
