"""Reidentify's FastAPI app: lifespan builds the runtime, consumers and unlock service."""

from __future__ import annotations

import asyncio
import gc
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.common import subject_access, subjects
from services.common.db import utcnow
from services.common.heads import trusted_keys
from services.common.retention import build_router
from services.common.runtime import Runtime, attach
from services.common.web import service_app
from services.reidentify import api, handlers, signing
from services.reidentify.audit import Witnesses, signing_grace
from services.reidentify.cases import Cases
from services.reidentify.fastpath import Doors
from services.reidentify.heads import BusSink, DirectorySink, FileSink, HeadSigner
from services.reidentify.models import Agreement, Inbox
from services.reidentify.policy import PolicyState
from services.reidentify.retention import Retention
from services.reidentify.service import HOUR, Reidentifier
from services.reidentify.settings import ReidentifySettings
from services.reidentify.signing import last_heads

log = logging.getLogger("tessera.reidentify")
WINDOW_PRUNE_S = 300.0


async def _prune(state: PolicyState) -> None:
    state.prune(utcnow() - HOUR)


def create_app(settings: ReidentifySettings | None = None) -> FastAPI:
    settings = settings or ReidentifySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        log_key = signing.log_signer(settings.log_signing_key_path,
                                     settings.log_signing_command,
                                     settings.log_signing_public_key_path, settings.environment)
        trusted = trusted_keys(settings.log_public_key_paths, log_key)
        async with Runtime(settings, inbox_model=Inbox) as rt:
            attach(app, rt)
            app.state.settings = settings
            # the policy's facts in memory, read before the consumers start (policy.py)
            state = app.state.policy = PolicyState(rt.sessionmaker,
                                                   settings.unlock_rate_per_hour)
            await state.load()
            rt.every(WINDOW_PRUNE_S, lambda: _prune(state), "prune-windows")
            app.state.reidentifier = Reidentifier(
                rt.sessionmaker, rt, timeout_s=settings.pseudonymiser_timeout_s,
                rate_per_hour=settings.unlock_rate_per_hour, state=state)
            sinks: list = [FileSink(settings.signed_heads_path), BusSink(rt.bus)]
            if settings.head_export_dir is not None:
                sinks.append(DirectorySink(settings.head_export_dir))
            signer = app.state.head_signer = HeadSigner(rt.sessionmaker, log_key, sinks)
            app.state.witnesses = Witnesses(rt.bus, settings.signed_heads_path, trusted,
                                            signing_grace(settings))
            rt.every(settings.head_signing_interval_s, signer.sign, "sign-head")
            on = handlers.Handlers(state)
            app.state.consumers = {
                "flags": rt.consume(subjects.FLAGS, on.flags),
                "decisions": rt.consume(subjects.DECISIONS, on.decisions),
            }
            app.state.clock = utcnow
            keeper = app.state.retention = Retention(rt, lambda: app.state.clock(), state)
            app.state.subject_access = keeper
            cases = app.state.grants = Cases(
                rt.sessionmaker, app.state.reidentifier.ledger,
                rate_per_hour=settings.subject_access_rate_per_hour,
                case_days=settings.subject_access_case_days, clock=lambda: app.state.clock(),
                messages=rt.bus)
            await rt.nc.subscribe(subjects.SUBJECT_ACCESS.subject, queue="reidentify",
                                  cb=cases.answer)
            app.state.consumers["agreements"] = rt.consume(subjects.AGREEMENTS, keeper.notice)
            rt.every(settings.retention_interval_s, keeper.sweep,
                     "retention")
            # what start-up built is never rescanned: a full collection of it under
            # load stalled every unlock in flight for ~100 ms (docs/reidentify.md)
            gc.collect()
            gc.freeze()
            signer.resend(await asyncio.to_thread(last_heads, settings.signed_heads_path))
            try:  # a tail left unsigned by a crash is signed now, not a minute later
                await signer.sign()
            except Exception as exc:
                log.warning("signing the head at start-up failed: %s", type(exc).__name__)
            try:
                yield
            finally:
                try:
                    await signer.sign()  # the last head, on the way out
                except Exception as exc:
                    log.warning("signing the last head failed: %s", type(exc).__name__)
                await app.state.reidentifier.ledger.close()

    app = service_app("Tessera reidentify", lifespan)
    app.state.fast_unlock = settings.fast_unlock
    app.add_middleware(Doors)  # outermost: every attempt at a door is logged, 413 too
    app.include_router(api.router)
    app.include_router(api.cases)  # before the releases: /cases is no pseudonym
    app.include_router(subject_access.router)
    app.include_router(build_router(Agreement))
    return app
