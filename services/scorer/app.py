"""The scorer's FastAPI app: lifespan builds the runtime, loads built-in rules, consumes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import yaml
from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError

from services.common import subject_access, subjects
from services.common.reconcile import Reconciler
from services.common.retention import build_router
from services.common.runtime import Runtime
from services.common.subject_access import RemoteGrants
from services.common.web import slice_app
from services.scorer import api, outcomes_api
from services.scorer import repository as repo
from services.scorer.cohorts import Cohorts
from services.scorer.handlers import Handlers
from services.scorer.models import Agreement, Inbox, Outbox, SecurityEvent
from services.scorer.outgoing import measure, sweep
from services.scorer.retention import Retention
from services.scorer.rules import RuleDocument
from services.scorer.service import Scorer, utc_today
from services.scorer.settings import ScorerSettings
from services.scorer.state import ScorerState

MIGRATIONS = Path(__file__).parent / "migrations"


async def load_builtin_rules(sessionmaker, settings: ScorerSettings) -> None:
    """Store each built-in rule set as version 1 unless its id is already known."""
    for path in sorted(settings.rules_dir.glob("*.yaml")):
        document = RuleDocument.model_validate(yaml.safe_load(path.read_text()))
        try:
            async with sessionmaker() as session, session.begin():
                if await repo.current_rule(session, document.id) is None:
                    await repo.add_rule_version(session, document.model_dump(mode="json"), 1,
                                                "built-in")
        except IntegrityError:  # another instance stored it first
            pass

# the OpenAPI document's info.description
DESCRIPTION = ("Evaluates versioned rule sets (the early-help criteria) on every profile and "
               "flags who meets them, by pseudonym. Calibration shows how many each threshold "
               "would select before one is chosen; a full re-score applies a changed rule to "
               "everyone. Counts only, never identities.")


def create_app(settings: ScorerSettings | None = None,
               today: Callable[[], date] | None = None) -> FastAPI:
    settings = settings or ScorerSettings()
    if today is None:
        today = (lambda: settings.today) if settings.today else utc_today

    @asynccontextmanager
    async def start(rt: Runtime) -> AsyncIterator[ScorerState]:
        await load_builtin_rules(rt.sessionmaker, settings)
        scorer = Scorer(today)
        cohorts = Cohorts(today)
        handlers = Handlers(rt, scorer, settings.flags_per_message, cohorts)
        consumers = {
            "codes": rt.consume(subjects.CODES, handlers.codes),
            "profiles": rt.consume(subjects.PROFILES, handlers.profiles),
            "decisions": rt.consume(subjects.DECISIONS, handlers.decision),
            # export chunks are large (about 2 MB): fetch a few at a time, not 64
            "export": rt.consume(subjects.PROFILE_EXPORT, handlers.export_chunk,
                                 batch=settings.export_fetch_batch),
        }
        keeper = Retention(rt, lambda: state.now(), settings.flags_per_message)
        consumers["agreements"] = rt.consume(subjects.AGREEMENTS, keeper.notice)

        async def run_sweep() -> int:
            return await sweep(rt, scorer, settings.sweep_batch)

        async def run_measure(through: str | None = None) -> int:
            return await measure(rt, cohorts, through, settings.outcomes_batch)

        state = ScorerState(rt=rt, settings=settings, scorer=scorer, sweep=run_sweep,
                            cohorts=cohorts, measure=run_measure,
                            retention=keeper, subject_access=keeper,
                            reconciler=Reconciler(rt, Agreement, keeper.notice, keeper.sweep),
                            grants=RemoteGrants(rt), consumers=consumers)
        rt.every(settings.retention_interval_s, keeper.sweep, "retention")
        rt.every(settings.sweep_interval_s, run_sweep, "sweep")
        rt.every(settings.outcomes_interval_s, run_measure, "outcomes")
        await state.reconciler.start()
        yield state

    return slice_app("Tessera scorer", settings, start,
                     [api.router, outcomes_api.router, subject_access.router, build_router(Agreement)],
                     inbox_model=Inbox, events_model=SecurityEvent,
                     migrations_dir=MIGRATIONS, outbox_model=Outbox,
                     description=DESCRIPTION, components=(RuleDocument,))
