"""Consent's FastAPI app: lifespan builds the runtime, verifier and consumers."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.common import subject_access, subjects
from services.common.runtime import Runtime
from services.common.state import attach
from services.common.subject_access import RemoteGrants
from services.common.web import service_app
from services.consent import api
from services.consent.authority import People
from services.consent.handlers import Handlers
from services.consent.models import Inbox, Outbox
from services.consent.service import Holdings
from services.consent.settings import ConsentSettings
from services.consent.state import ConsentState


def create_app(settings: ConsentSettings | None = None) -> FastAPI:
    settings = settings or ConsentSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async with Runtime(settings, inbox_model=Inbox, outbox_model=Outbox) as rt:
            handlers = Handlers(rt)
            attach(app, ConsentState(
                rt=rt, settings=settings, people=People(rt), subject_access=Holdings(),
                grants=RemoteGrants(rt), consumers={
                    "requests": rt.consume(subjects.CONSENT_REQUESTS, handlers.requests),
                    "resolved": rt.consume(subjects.RESOLVED, handlers.resolved),
                }))
            yield

    app = service_app("Tessera consent", lifespan)
    app.include_router(api.router)
    app.include_router(subject_access.router)
    return app
