"""The pseudonymiser's FastAPI app: lifespan builds the runtime, consumers and responder."""

from __future__ import annotations

import asyncio
import contextlib
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
from services.pseudonymiser import api, assembly
from services.pseudonymiser.handlers import Handlers
from services.pseudonymiser.learning import Learning
from services.pseudonymiser.metrics import PseudonymiserMetrics
from services.pseudonymiser.models import Agreement, Inbox, Outbox, SecurityEvent
from services.pseudonymiser.releases import Releases
from services.pseudonymiser.retention import Retention
from services.pseudonymiser.retention import router as subject_router
from services.pseudonymiser.settings import PseudonymiserSettings
from services.pseudonymiser.state import PseudonymiserState

MIGRATIONS = Path(__file__).parent / "migrations"

# the OpenAPI document's info.description
DESCRIPTION = ("Links partners' identity records into persons and households and knows them only "
               "by pseudonym from then on. Linkage officers review the pairs it was unsure of "
               "and train its linkage model; a DPO finds a person's pseudonyms for a subject "
               "access request.")


def create_app(settings: PseudonymiserSettings | None = None) -> FastAPI:
    settings = settings or PseudonymiserSettings()

    @asynccontextmanager
    async def start(rt: Runtime) -> AsyncIterator[PseudonymiserState]:
        service = await assembly.build(settings, rt.sessionmaker)
        service.linkage.observe(rt.metrics.part(PseudonymiserMetrics))
        releases = Releases(rt.sessionmaker, settings.release_max_age_s)
        await releases.load()
        handlers = Handlers(rt, service, releases)
        consumers = {
            "identity": rt.consume(subjects.IDENTITY, handlers.identity,
                                   group=handlers.identity_group,
                                   batch=settings.link_group_messages,
                                   lookahead=service.linkage.start
                                   if settings.score_ahead else None,
                                   linger_s=settings.link_linger_s),
            "optouts": rt.consume(subjects.OPTOUTS, handlers.optouts,
                                  group=handlers.optouts_group,
                                  batch=settings.link_group_messages),
            "decisions": rt.consume(subjects.DECISIONS, handlers.decision),
        }
        keeper = Retention(rt, service, lambda: state.now())
        consumers["agreements"] = rt.consume(subjects.AGREEMENTS, keeper.notice)
        learning = Learning(rt, service, settings)
        state = PseudonymiserState(
            rt=rt, settings=settings, service=service, releases=releases,
            learning=learning, retention=keeper, subject_access=keeper,
            reconciler=Reconciler(rt, Agreement, keeper.notice, keeper.sweep),
            grants=RemoteGrants(rt), consumers=consumers)
        rt.every(settings.retention_interval_s, keeper.sweep, "retention")
        # with the gateway up, reconciled before it answers for identities
        await state.reconciler.start()
        await learning.resume()
        rt.every(settings.learn_check_interval_s, learning.tick, "learning")
        responders = [
            await rt.nc.subscribe(subjects.REIDENTIFY.subject, queue="pseudonymiser",
                                  cb=handlers.reidentify_concurrently),
            await rt.nc.subscribe(subjects.RELEASES.subject, queue="pseudonymiser",
                                  cb=handlers.releases_page),
            await rt.nc.subscribe(subjects.AREA.subject, queue="pseudonymiser",
                                  cb=handlers.area),
        ]
        try:
            yield state
        finally:
            await learning.close()
            for responder in responders:
                with contextlib.suppress(Exception):
                    await responder.unsubscribe()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(releases.flush(), timeout=5)

    return slice_app("Tessera pseudonymiser", settings, start,
                     [api.router, subject_router, subject_access.router,
                      build_router(Agreement)],
                     inbox_model=Inbox, events_model=SecurityEvent,
                     migrations_dir=MIGRATIONS, outbox_model=Outbox,
                     description=DESCRIPTION)
