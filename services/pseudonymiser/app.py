"""The pseudonymiser's FastAPI app: lifespan builds the runtime, consumers and responder."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request

from services.common import subject_access, subjects
from services.common.bus import Consumer
from services.common.db import Fenced
from services.common.problems import problem_response
from services.common.reconcile import Reconciler
from services.common.retention import build_router
from services.common.runtime import Runtime
from services.common.state import state_of
from services.common.subject_access import RemoteGrants
from services.common.web import slice_app
from services.pseudonymiser import api, assembly
from services.pseudonymiser.handlers import Handlers
from services.pseudonymiser.learning import Learning
from services.pseudonymiser.lock import NotWriter
from services.pseudonymiser.metrics import PseudonymiserMetrics
from services.pseudonymiser.models import Agreement, Inbox, Outbox, SecurityEvent
from services.pseudonymiser.releases import Releases
from services.pseudonymiser.retention import Retention
from services.pseudonymiser.retention import router as subject_router
from services.pseudonymiser.settings import PseudonymiserSettings
from services.pseudonymiser.state import PseudonymiserState
from services.pseudonymiser.writer import Writer

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
        service = await assembly.build(settings, rt.sessionmaker, elected=True)
        service.observe(rt.metrics.part(PseudonymiserMetrics))
        releases = Releases(rt.sessionmaker, settings.release_max_age_s,
                            claims=await rt.js.key_value(subjects.RELEASED.name))
        await releases.load()
        handlers = Handlers(rt, service, releases)
        keeper = Retention(rt, service, lambda: state.now())
        learning = Learning(rt, service, settings)

        def score_ahead(batches) -> None:
            service.linkage.start(batches)  # the index of the writer's current term

        def consumers() -> dict[str, Consumer]:
            """The writer's streams (a standby consumes none of them)."""
            return {
                "identity": rt.consume(subjects.IDENTITY, handlers.identity,
                                       group=handlers.identity_group,
                                       batch=settings.link_group_messages,
                                       lookahead=score_ahead
                                       if settings.score_ahead else None,
                                       linger_s=settings.link_linger_s),
                "optouts": rt.consume(subjects.OPTOUTS, handlers.optouts,
                                      group=handlers.optouts_group,
                                      batch=settings.link_group_messages),
                "decisions": rt.consume(subjects.DECISIONS, handlers.decision),
                "agreements": rt.consume(subjects.AGREEMENTS, keeper.notice),
            }

        async def as_writer(session, notice, delivery) -> None:
            """An agreement's revision missed while stopped: the writer applies it."""
            if not writer.writing:
                raise NotWriter("the writer applies the registry's revisions")
            await keeper.notice(session, notice, delivery)

        async def sweep_as_writer() -> int:
            return await keeper.sweep() if writer.writing else 0

        writer = Writer(rt, settings, service, learning, consumers, jobs=[
            (settings.retention_interval_s, keeper.sweep, "retention"),
            (settings.learn_check_interval_s, learning.tick, "learning")])
        state = PseudonymiserState(
            rt=rt, settings=settings, service=service, releases=releases,
            learning=learning, retention=keeper, subject_access=keeper,
            reconciler=Reconciler(rt, Agreement, as_writer, sweep_as_writer),
            grants=RemoteGrants(rt), consumers=writer.consumers, writer=writer)
        await writer.start()
        try:
            # with the gateway up, reconciled before it answers for identities (a
            # standby: once the writer has applied what the database lacked)
            await state.reconciler.start()
            # every replica answers these from the database (the queue group spreads them)
            responders = [
                await rt.answer(subjects.REIDENTIFY, handlers.reidentify_concurrently),
                await rt.answer(subjects.RELEASES, handlers.releases_page),
                await rt.answer(subjects.AREA, handlers.area),
            ]
            try:
                yield state
            finally:
                for responder in responders:
                    with contextlib.suppress(Exception):
                        await responder.unsubscribe()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(releases.flush(), timeout=5)
        finally:
            await writer.stop()

    # every route of the slice's own passes the writer's check (roles.WRITER_ROUTES)
    routes = APIRouter(dependencies=[Depends(api.only_the_writer)])
    for router in (api.router, subject_router, subject_access.router,
                   build_router(Agreement)):
        routes.include_router(router)
    app = slice_app("Tessera pseudonymiser", settings, start, [routes],
                    inbox_model=Inbox, events_model=SecurityEvent,
                    migrations_dir=MIGRATIONS, outbox_model=Outbox,
                    description=DESCRIPTION)
    api.guard(app)

    @app.exception_handler(Fenced)
    async def not_the_writer(request: Request, exc: Fenced):
        """Linkage writes reached on a replica that is not (or no longer) the writer,
        by a route of its own or a common one (the retention sweep): as a standby's
        refusal of the writer's routes."""
        problem = api.standby(state_of(request.app, PseudonymiserState))
        return problem_response(problem.status, problem.title, problem.detail,
                                type_=problem.type, instance=request.url.path,
                                headers=problem.headers, **problem.extra)

    return app
