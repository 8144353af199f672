"""Reidentify's FastAPI app: lifespan builds the runtime, consumers and unlock service."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from services.common import subject_access, subjects
from services.common.db import utcnow
from services.common.heads import trusted_keys
from services.common.reconcile import Reconciler
from services.common.retention import build_router
from services.common.runtime import Runtime
from services.common.web import slice_app
from services.reidentify import api, handlers, signing
from services.reidentify.audit import Witnesses, signing_grace
from services.reidentify.cases import Cases
from services.reidentify.fastpath import Doors
from services.reidentify.heads import BusSink, DirectorySink, FileSink, HeadSigner
from services.reidentify.metrics import ReidentifyMetrics
from services.reidentify.models import Agreement, Inbox, SecurityEvent
from services.reidentify.notices import Notices
from services.reidentify.policy import HOUR, PolicyState
from services.reidentify.retention import Retention
from services.reidentify.service import Reidentifier
from services.reidentify.settings import ReidentifySettings
from services.reidentify.signing import last_heads
from services.reidentify.state import ReidentifyState

MIGRATIONS = Path(__file__).parent / "migrations"

log = logging.getLogger("tessera.reidentify")
WINDOW_PRUNE_S = 300.0


async def _prune(state: PolicyState) -> None:
    state.prune(utcnow() - HOUR)

# the OpenAPI document's info.description
DESCRIPTION = ("The one place an identity is released: cohorts of flagged people by pseudonym, "
               "the audited unlock that shows a caseworker who one of them is (under the "
               "deployment's policy, rate-limited, every attempt logged), partners' lookup of "
               "their own records, the hash-chained access log, and subject access cases.")


def create_app(settings: ReidentifySettings | None = None) -> FastAPI:
    settings = settings or ReidentifySettings()

    @asynccontextmanager
    async def start(rt: Runtime) -> AsyncIterator[ReidentifyState]:
        log_key = signing.log_signer(settings.log_signing_key_path,
                                     settings.log_signing_command,
                                     settings.log_signing_public_key_path, settings.environment,
                                     settings.private_key_passphrase_file)
        trusted = trusted_keys(settings.log_public_key_paths, log_key)
        # the policy's facts in memory, read before the consumers start (policy.py); the
        # other processes' changes followed from before the read (notices.py)
        policy = PolicyState(rt.sessionmaker, settings.unlock_rate_per_hour)
        notices = Notices(rt, policy)
        await notices.start()
        await policy.load()
        rt.on_reconnect(policy.load)
        rt.every(WINDOW_PRUNE_S, lambda: _prune(policy), "prune-windows")
        reidentifier = Reidentifier(
            rt.sessionmaker, rt, timeout_s=settings.pseudonymiser_timeout_s,
            rate_per_hour=settings.unlock_rate_per_hour, state=policy,
            metrics=rt.metrics.part(ReidentifyMetrics))
        sinks: list = [FileSink(settings.signed_heads_path), BusSink(rt.bus)]
        if settings.head_export_dir is not None:
            sinks.append(DirectorySink(settings.head_export_dir))
        signer = HeadSigner(rt.sessionmaker, log_key, sinks)
        witnesses = Witnesses(rt.bus, settings.signed_heads_path, trusted,
                              signing_grace(settings))
        rt.every(settings.head_signing_interval_s, signer.sign, "sign-head")
        on = handlers.Handlers(policy)
        consumers = {
            "flags": rt.consume(subjects.FLAGS, on.flags),
            "decisions": rt.consume(subjects.DECISIONS, on.decisions),
        }
        keeper = Retention(rt, lambda: state.now(), policy)
        cases = Cases(
            rt.sessionmaker, reidentifier.ledger,
            rate_per_hour=settings.subject_access_rate_per_hour,
            case_days=settings.subject_access_case_days, clock=lambda: state.now(),
            messages=rt.bus)
        consumers["agreements"] = rt.consume(subjects.AGREEMENTS, keeper.notice)
        state = ReidentifyState(
            rt=rt, settings=settings, policy=policy, reidentifier=reidentifier,
            ledger=reidentifier.ledger, head_signer=signer, witnesses=witnesses,
            retention=keeper, subject_access=keeper, grants=cases,
            reconciler=Reconciler(rt, Agreement, keeper.notice, keeper.sweep),
            fast_unlock=settings.fast_unlock, consumers=consumers)
        await state.reconciler.start()
        await rt.answer(subjects.SUBJECT_ACCESS, cases.answer)
        rt.every(settings.retention_interval_s, keeper.sweep, "retention")
        # what start-up built is never rescanned: a full collection of it under load
        # stalls every unlock in flight (docs/reidentify.md)
        gc.collect()
        gc.freeze()
        signer.resend(await asyncio.to_thread(last_heads, settings.signed_heads_path))
        try:  # a tail left unsigned by a crash is signed now, not a minute later
            await signer.sign()
        except Exception as exc:
            log.warning("signing the head at start-up failed: %s", type(exc).__name__)
        try:
            yield state
        finally:
            try:
                await signer.sign()  # the last head, on the way out
            except Exception as exc:
                log.warning("signing the last head failed: %s", type(exc).__name__)
            await notices.stop()
            await reidentifier.ledger.close()

    # the cases before the releases: /v1/subject-access/cases is not a pseudonym
    app = slice_app("Tessera reidentify", settings, start,
                    [api.router, api.cases, subject_access.router, build_router(Agreement)],
                    inbox_model=Inbox, events_model=SecurityEvent,
                    migrations_dir=MIGRATIONS,
                    # outside all but CORS: every attempt at a door is logged, 413 too, and
                    # a browser's unlock reads its answer
                    outer=(Doors,),
                    description=DESCRIPTION)
    return app
