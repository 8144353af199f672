"""Consent's FastAPI app: lifespan builds the runtime, verifier and consumers."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.common import health, problems, subjects
from services.common.runtime import Runtime, attach
from services.common.tokens import TokenVerifier
from services.consent import api
from services.consent.handlers import Handlers
from services.consent.models import Inbox, Outbox
from services.consent.settings import ConsentSettings


def create_app(settings: ConsentSettings | None = None) -> FastAPI:
    settings = settings or ConsentSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async with Runtime(settings, inbox_model=Inbox, outbox_model=Outbox) as rt:
            attach(app, rt)
            app.state.settings = settings
            app.state.verifier = TokenVerifier(settings.jwks_path, settings.token_issuer,
                                               settings.token_audience)
            handlers = Handlers(rt)
            app.state.consumers = {
                "requests": rt.consume(subjects.CONSENT_REQUESTS, handlers.requests),
                "resolved": rt.consume(subjects.RESOLVED, handlers.resolved),
            }
            yield

    app = FastAPI(title="Tessera consent", version="1", lifespan=lifespan)
    problems.install(app)
    app.include_router(health.router)
    app.include_router(api.router)
    return app
