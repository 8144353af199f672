"""The pseudonymiser's FastAPI app: lifespan builds the runtime, consumers and responder."""

from __future__ import annotations

import contextlib
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.common import health, problems, subjects
from services.common.runtime import Runtime, attach
from services.common.settings import read_key
from services.common.tokens import TokenVerifier
from services.pseudonymiser import api
from services.pseudonymiser.handlers import Handlers
from services.pseudonymiser.models import Inbox, Outbox
from services.pseudonymiser.service import Pseudonymiser
from services.pseudonymiser.settings import PseudonymiserSettings


def create_app(settings: PseudonymiserSettings | None = None) -> FastAPI:
    settings = settings or PseudonymiserSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        service = Pseudonymiser(read_key(settings.person_key_path),
                                read_key(settings.household_key_path))
        async with Runtime(settings, inbox_model=Inbox, outbox_model=Outbox) as rt:
            attach(app, rt)
            app.state.verifier = TokenVerifier(settings.jwks_path, settings.token_issuer,
                                               settings.token_audience)
            app.state.service = service
            handlers = Handlers(rt, service)
            app.state.consumers = {
                "identity": rt.consume(subjects.IDENTITY, handlers.identity),
                "optouts": rt.consume(subjects.OPTOUTS, handlers.optouts),
                "decisions": rt.consume(subjects.DECISIONS, handlers.decision),
            }
            responder = await rt.nc.subscribe(subjects.REIDENTIFY.subject,
                                              queue="pseudonymiser",
                                              cb=handlers.reidentify_concurrently)
            try:
                yield
            finally:
                with contextlib.suppress(Exception):
                    await responder.unsubscribe()

    app = FastAPI(title="Tessera pseudonymiser", version="1", lifespan=lifespan)
    problems.install(app)
    app.include_router(health.router)
    app.include_router(api.router)
    return app
