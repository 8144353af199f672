"""Cross-origin calls from the console (docs/console.md): the browser calls each service
with the signed-in user's token, so each service answers the console's origin, and only
the exact origins it is configured with.

Starlette's ``CORSMiddleware`` does the work. No cookies are involved (the token travels
in the Authorization header), so credentials are never allowed, and a refused origin gets
no CORS headers at all: its page cannot read the answer."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# what the console sends: its token, a JSON or YAML body, an idempotency key, and the
# request id and trace context a page may pass on
HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID",
           "traceparent", "tracestate"]
# what it may read besides the CORS-safelisted headers: why a token was refused, a
# download's name, and the request id to quote when reporting a fault
EXPOSED = ["WWW-Authenticate", "Content-Disposition", "X-Tessera-Rescore", "X-Request-ID"]


def install(app: FastAPI, origins: Sequence[str]) -> None:
    """Answer ``origins`` (already exact, services.common.settings.exact_origins); added
    last, so it wraps every other middleware and even a refusal carries its headers."""
    if not origins:
        return
    app.add_middleware(CORSMiddleware, allow_origins=list(origins), allow_methods=METHODS,
                       allow_headers=HEADERS, expose_headers=EXPOSED,
                       allow_credentials=False, max_age=600)
