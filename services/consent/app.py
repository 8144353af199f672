"""Consent's FastAPI app: what it builds on its runtime, and its routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from services.common import subject_access, subjects
from services.common.runtime import Runtime
from services.common.subject_access import RemoteGrants
from services.common.web import slice_app
from services.consent import api
from services.consent.authority import People
from services.consent.handlers import Handlers
from services.consent.models import Inbox, Outbox, SecurityEvent
from services.consent.service import Holdings
from services.consent.settings import ConsentSettings
from services.consent.state import ConsentState

MIGRATIONS = Path(__file__).parent / "migrations"

# the OpenAPI document's info.description
DESCRIPTION = ("Records the opt-outs, consents and withdrawals practitioners take down for a "
               "person, and answers which decision is in force; every slice withholds what an "
               "objection covers.")


def create_app(settings: ConsentSettings | None = None) -> FastAPI:
    settings = settings or ConsentSettings()

    @asynccontextmanager
    async def start(rt: Runtime) -> AsyncIterator[ConsentState]:
        handlers = Handlers(rt)
        yield ConsentState(
            rt=rt, settings=settings, people=People(rt), subject_access=Holdings(),
            grants=RemoteGrants(rt), consumers={
                "requests": rt.consume(subjects.CONSENT_REQUESTS, handlers.requests),
                "resolved": rt.consume(subjects.RESOLVED, handlers.resolved),
            })

    return slice_app("Tessera consent", settings, start,
                     [api.router, subject_access.router], inbox_model=Inbox,
                     events_model=SecurityEvent,
                     migrations_dir=MIGRATIONS,
                     outbox_model=Outbox,
                     description=DESCRIPTION)
