"""Consent's FastAPI app: lifespan builds the runtime, verifier and consumers."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.common import subject_access, subjects
from services.common.runtime import Runtime, attach
from services.common.subject_access import RemoteGrants
from services.common.web import service_app
from services.consent import api
from services.consent.authority import People
from services.consent.handlers import Handlers
from services.consent.models import Inbox, Outbox
from services.consent.service import Holdings
from services.consent.settings import ConsentSettings


def create_app(settings: ConsentSettings | None = None) -> FastAPI:
    settings = settings or ConsentSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async with Runtime(settings, inbox_model=Inbox, outbox_model=Outbox) as rt:
            attach(app, rt)
            app.state.settings = settings
            app.state.people = People(rt)
            app.state.subject_access = Holdings()
            app.state.grants = RemoteGrants(rt)
            handlers = Handlers(rt)
            app.state.consumers = {
                "requests": rt.consume(subjects.CONSENT_REQUESTS, handlers.requests),
                "resolved": rt.consume(subjects.RESOLVED, handlers.resolved),
            }
            yield

    app = service_app("Tessera consent", lifespan)
    app.include_router(api.router)
    app.include_router(subject_access.router)
    return app
