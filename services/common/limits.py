"""A cap on request bodies: 413 problem+json as soon as a body is known to be too large,
by its Content-Length or, for a streamed body, by the bytes received so far."""

from __future__ import annotations

from fastapi import FastAPI

from services.common.problems import problem_response

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


def install(app: FastAPI, max_body_bytes: int | None = None) -> None:
    """The request body cap (1 MiB unless given; 413 beyond it)."""
    app.add_middleware(BodyLimit, max_body_bytes=max_body_bytes or DEFAULT_MAX_BODY_BYTES)


class _TooLarge(BaseException):  # noqa: N818
    """Not an Exception: body parsers that turn any Exception into a 400 must not catch
    it on its way out to the middleware."""


class BodyLimit:
    """Pure ASGI middleware (it sees the body before any route reads it)."""

    def __init__(self, app, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES):
        self.app = app
        self.limit = max_body_bytes

    async def _refuse(self, scope, receive, send) -> None:
        response = problem_response(413, "Request too large",
                                    f"the body may be at most {self.limit} bytes")
        await response(scope, receive, send)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or ()).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await self._refuse(scope, receive, send)
        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, receive, send)
