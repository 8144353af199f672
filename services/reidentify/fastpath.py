"""The audited doors' front: every POST to /v1/unlock and /v1/partner-lookup starts here.

``Doors`` is pure ASGI middleware, outside everything else. For each request at a door it
makes the request's ``Attempt`` (which authenticates the caller once) and reads the body
up to ``MAX_BODY``: a larger body is refused with 413 and logged like any other attempt.
Then:

- an unlock the route would accept (a caseworker's verified token, a JSON body that
  ``UnlockBody`` accepts) is served here, calling the same ``Reidentifier.unlock`` within
  the same ``Attempt.audit`` context. Routing through the nested routers, solving the
  dependency graph and validating the body from a parsed dict had cost as much CPU as
  the unlock itself (the unlock is the hot path: p99 under 50 ms with 50 callers on two
  cores).
- anything else goes to the route, body replayed, with the same ``Attempt`` in the
  request's state, where ``AuditedRoute`` logs and answers it.

The route stays declared, so the OpenAPI document and the public contract are unchanged.
"""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from services.common import observe
from services.common.problems import Problem, problem_response
from services.common.state import state_of
from services.reidentify.attempts import PARTNER_LOOKUP, UNLOCK, Attempt
from services.reidentify.schemas import UnlockBody, UnlockReply
from services.reidentify.service import UnlockRequest
from services.reidentify.state import ReidentifyState

DOORS = {"/v1/unlock": UNLOCK, "/v1/partner-lookup": PARTNER_LOOKUP}
ROLE = "caseworker"
MAX_BODY = 16 * 1024
_REPLY = TypeAdapter(UnlockReply)
_WANTED = (b"authorization", b"content-type", b"content-length")


class Doors:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        action = DOORS.get(scope["path"]) if scope["type"] == "http" else None
        if action is None or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        scope[observe.ROUTE] = scope["path"]  # a door's path is its route's template
        found: dict[bytes, bytes] = {}
        repeated = False
        for name, value in scope["headers"]:
            if name in _WANTED:
                repeated = repeated or name in found
                found.setdefault(name, value)  # the first, as the framework reads them
        state = state_of(scope["app"], ReidentifyState)
        authorization = found.get(b"authorization")
        attempt = Attempt.at_door(state.reidentifier.ledger, action, state.gatekeeper,
                                  authorization.decode("latin-1") if authorization else None)
        scope.setdefault("state", {})["attempt"] = attempt

        length = found.get(b"content-length", b"")
        if length.isdigit() and int(length) > MAX_BODY:
            return await _too_large(scope, receive, send, attempt)
        messages, body = [], b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":  # the client went away: let the route see
                return await self.app(scope, _replay(messages, receive), send)
            body += message.get("body", b"")
            if len(body) > MAX_BODY:
                return await _too_large(scope, receive, send, attempt)
            if not message.get("more_body", False):
                break

        parsed = None
        if (action == UNLOCK and state.fast_unlock and not repeated
                and found.get(b"content-type") == b"application/json"
                and attempt.claims is not None and ROLE in attempt.claims.roles):
            try:
                parsed = UnlockBody.model_validate_json(body)
            except ValidationError:
                parsed = None
        if parsed is None:
            return await self.app(scope, _replay(messages, receive), send)
        state.fast_unlocks += 1  # served here
        response = await _unlock(scope, body, state, attempt, parsed)
        await response(scope, receive, send)


async def _too_large(scope, receive, send, attempt: Attempt) -> None:
    seq = await attempt.refuse("too-large")
    response = problem_response(413, "Request too large",
                                f"the body may be at most {MAX_BODY} bytes",
                                instance=scope["path"], access_id=seq)
    await response(scope, receive, send)


async def _unlock(scope, body: bytes, state: ReidentifyState, attempt: Attempt,
                  parsed: UnlockBody) -> Response:
    request = UnlockRequest(parsed.pseudonym, parsed.purpose, parsed.justification)

    async def the_body() -> bytes:
        return body

    try:
        async with attempt.audit(the_body):
            result = await state.reidentifier.unlock(attempt.claims, request, attempt)
    except Problem as exc:  # as services.common.problems renders it
        return problem_response(exc.status, exc.title, exc.detail, type_=exc.type,
                                instance=Request(scope).url.path, headers=exc.headers,
                                **exc.extra)
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
