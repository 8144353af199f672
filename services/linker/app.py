"""The linker's FastAPI app: what it builds on its runtime, and its routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from services.common import subject_access, subjects
from services.common.reconcile import Reconciler
from services.common.retention import build_router
from services.common.runtime import Runtime
from services.common.subject_access import RemoteGrants
from services.common.web import slice_app
from services.linker import api, areas_api
from services.linker.export import Exporter
from services.linker.handlers import Handlers
from services.linker.models import Agreement, Inbox, Outbox, SecurityEvent
from services.linker.publisher import ProfilePublisher
from services.linker.retention import Retention
from services.linker.settings import LinkerSettings
from services.linker.state import LinkerState

MIGRATIONS = Path(__file__).parent / "migrations"

# the OpenAPI document's info.description
DESCRIPTION = ("Joins partners' events to pseudonyms into profiles per person and household, "
               "with no identities, and reports demand per area as counts that cannot single "
               "anyone out.")


def create_app(settings: LinkerSettings | None = None) -> FastAPI:
    settings = settings or LinkerSettings()

    @asynccontextmanager
    async def start(rt: Runtime) -> AsyncIterator[LinkerState]:
        handlers = Handlers(rt)
        publisher = ProfilePublisher(
            rt, settings.profiles_per_round, settings.profiles_per_message,
            settings.profile_pacing, settings.profile_max_pause_s)
        consumers = {
            "events": rt.consume(subjects.EVENTS, handlers.events),
            "assignments": rt.consume(subjects.ASSIGNMENTS, handlers.assignments,
                                      group=handlers.assignments_group,
                                      batch=settings.assignment_group_messages),
            "decisions": rt.consume(subjects.DECISIONS, handlers.decision),
            "republish": rt.consume(subjects.REPUBLISH, handlers.republish),
            "codes": rt.consume(subjects.CODES, handlers.codes),
        }
        keeper = Retention(rt, lambda: state.now())
        consumers["agreements"] = rt.consume(subjects.AGREEMENTS, keeper.notice)
        exporter = Exporter(rt, settings.export_profiles_per_chunk)
        state = LinkerState(rt=rt, settings=settings, publisher=publisher, exporter=exporter,
                            retention=keeper, subject_access=keeper,
                            reconciler=Reconciler(rt, Agreement, keeper.notice, keeper.sweep),
                            grants=RemoteGrants(rt), consumers=consumers)
        rt.every(settings.retention_interval_s, keeper.sweep, "retention")
        rt.every(settings.profile_interval_s, publisher.drain, "profiles")
        rt.every(settings.export_interval_s, exporter.run_pending, "exports")
        await state.reconciler.start()
        yield state

    return slice_app("Tessera linker", settings, start,
                     [api.router, areas_api.router, subject_access.router, build_router(Agreement)],
                     inbox_model=Inbox, events_model=SecurityEvent,
                     migrations_dir=MIGRATIONS, outbox_model=Outbox,
                     description=DESCRIPTION)
