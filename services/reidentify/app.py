"""Reidentify's FastAPI app: lifespan builds the runtime, verifier, consumers, unlock service."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.common import health, problems, subjects
from services.common.runtime import Runtime, attach
from services.common.tokens import TokenVerifier
from services.reidentify import api, handlers
from services.reidentify.models import Inbox
from services.reidentify.service import Reidentifier
from services.reidentify.settings import ReidentifySettings


def create_app(settings: ReidentifySettings | None = None) -> FastAPI:
    settings = settings or ReidentifySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async with Runtime(settings, inbox_model=Inbox) as rt:
            attach(app, rt)
            app.state.settings = settings
            app.state.verifier = TokenVerifier(settings.jwks_path, settings.token_issuer,
                                               settings.token_audience,
                                               max_lifetime_s=settings.max_token_lifetime_s)
            app.state.reidentifier = Reidentifier(
                rt.sessionmaker, rt, timeout_s=settings.pseudonymiser_timeout_s,
                rate_per_hour=settings.unlock_rate_per_hour)
            app.state.consumers = {
                "flags": rt.consume(subjects.FLAGS, handlers.flags),
                "decisions": rt.consume(subjects.DECISIONS, handlers.decisions),
            }
            yield

    app = FastAPI(title="Tessera reidentify", version="1", lifespan=lifespan)
    problems.install(app)
    app.include_router(health.router)
    app.include_router(api.router)
    return app
