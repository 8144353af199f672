"""The linker's FastAPI app: lifespan builds the runtime and its consumers."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.common import health, problems, subjects
from services.common.runtime import Runtime, attach
from services.common.tokens import TokenVerifier
from services.linker import api
from services.linker.handlers import Handlers
from services.linker.models import Inbox, Outbox
from services.linker.settings import LinkerSettings


def create_app(settings: LinkerSettings | None = None) -> FastAPI:
    settings = settings or LinkerSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async with Runtime(settings, inbox_model=Inbox, outbox_model=Outbox) as rt:
            attach(app, rt)
            app.state.settings = settings
            app.state.verifier = TokenVerifier(settings.jwks_path, settings.token_issuer,
                                               settings.token_audience)
            handlers = Handlers(rt, settings.profiles_per_message)
            app.state.consumers = {
                "events": rt.consume(subjects.EVENTS, handlers.events),
                "assignments": rt.consume(subjects.ASSIGNMENTS, handlers.assignments),
                "decisions": rt.consume(subjects.DECISIONS, handlers.decision),
                "republish": rt.consume(subjects.REPUBLISH, handlers.republish),
            }
            yield

    app = FastAPI(title="Tessera linker", version="1", lifespan=lifespan)
    problems.install(app)
    app.include_router(health.router)
    app.include_router(api.router)
    return app
