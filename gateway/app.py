"""The gateway's FastAPI app: registry seeded at start, code catalogues out, progress in."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from gateway import agreements_api, api, audit, handlers, registry_api
from gateway.agreements import Registry
from gateway.heads import HeadKeeper
from gateway.metrics import GatewayMetrics
from gateway.models import Inbox, SecurityEvent
from gateway.registry import PartnerRegistry, read_registry
from gateway.schemas import UPLOADS
from gateway.service import Gateway
from gateway.settings import GatewaySettings
from gateway.state import GatewayState
from services.common import subjects
from services.common.heads import trusted_keys
from services.common.runtime import Runtime
from services.common.settings import read_key
from services.common.web import slice_app

MIGRATIONS = Path(__file__).parent / "migrations"

log = logging.getLogger("tessera.gateway")

CATALOGUE_RETRY_S = 10.0

# the OpenAPI document's info.description
DESCRIPTION = ("Partners' door to Tessera: GP practices, schools, the police and the council's "
               "own services upload identities, events and opt-outs to their registered "
               "datasets, as JSON or CSV, and follow each batch to its receipt. Admins keep the "
               "partner registry and the data-sharing agreements uploads arrive under. The "
               "gateway checks every row, keys identities and passes them on; it keeps no rows.")


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def start(rt: Runtime) -> AsyncIterator[GatewayState]:
        # No outbox: the gateway keeps no rows to relay, it publishes straight to
        # JetStream and answers only after every PubAck.
        gw = Gateway(settings, rt.bus, read_key(settings.hmac_key_path),
                     rt.metrics.part(GatewayMetrics))
        agreements = Registry(rt.bus, settings.publish_timeout_s)
        registry = PartnerRegistry(rt.bus, agreements, settings.publish_timeout_s)
        seed = read_registry(settings.registry_path)
        async with rt.sessionmaker() as session:
            await registry.seed(session, seed)
            await session.commit()
        async with rt.sessionmaker() as session:
            notices = await agreements.sync(session)
            await session.commit()
        published = False

        async def publish_catalogues() -> None:
            # every dataset's catalogue at each start: the scorer may have missed one
            nonlocal published
            if not published:
                async with rt.sessionmaker() as session:
                    await registry.publish(session, await registry.catalogues(session))
                published = True
            if notices:
                await agreements.announce(notices)
                notices.clear()

        try:
            await publish_catalogues()
        except Exception as exc:  # NATS not ready: keep trying in the background
            log.warning("code catalogues not published yet (%s); will retry",
                        type(exc).__name__)
            rt.every(CATALOGUE_RETRY_S, publish_catalogues, "catalogues")
        keeper = HeadKeeper(rt.sessionmaker, rt.bus,
                            trusted_keys(settings.audit_log_key_paths))
        state = GatewayState(
            rt=rt, settings=settings, gateway=gw, agreements=agreements,
            registry=registry, head_keeper=keeper, consumers={
                "progress": rt.consume(subjects.PROGRESS, handlers.progress),
                "audit_heads": rt.consume(subjects.AUDIT_HEADS, keeper.keep),
                "receipts": rt.consume(subjects.RECEIPTS, handlers.receipt),
            })
        await rt.answer(subjects.HEADS, keeper.answer)
        meanings = handlers.Meanings(rt.sessionmaker, rt.bus)
        await rt.answer(subjects.MEANINGS, meanings.answer)
        registered = handlers.Agreements(rt.sessionmaker, rt.bus)
        await rt.answer(subjects.AGREEMENT_STATE, registered.answer)
        try:
            yield state
        finally:
            # Every reply waited for its PubAcks, so nothing is in flight: close rather
            # than drain (nats-py's drain waits out its timeout on an idle pull
            # subscription whose discarded status messages were never marked done).
            for consumer in rt.consumers:
                await consumer.stop()
            await rt.nc.close()

    return slice_app("Tessera gateway", settings, start,
                     [api.router, agreements_api.router, registry_api.router, audit.router],
                     inbox_model=Inbox, events_model=SecurityEvent,
                     migrations_dir=MIGRATIONS,
                     max_body_bytes=settings.max_body_bytes,
                     components=tuple(UPLOADS.values()), description=DESCRIPTION)
