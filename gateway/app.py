"""The gateway's FastAPI app: registry at start, code catalogues out, progress in."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from gateway import agreements_api, api, audit, handlers
from gateway.agreements import Registry
from gateway.audit import HeadKeeper
from gateway.models import Inbox
from gateway.service import Gateway
from gateway.settings import GatewaySettings
from services.common import subjects
from services.common.heads import trusted_keys
from services.common.runtime import Runtime, attach
from services.common.settings import read_key
from services.common.web import service_app

log = logging.getLogger("tessera.gateway")

CATALOGUE_RETRY_S = 10.0


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # No outbox: the gateway keeps no rows to relay, it publishes straight to
        # JetStream and answers only after every PubAck.
        async with Runtime(settings, inbox_model=Inbox) as rt:
            attach(app, rt)
            app.state.settings = settings
            gw = Gateway(settings, rt.bus, read_key(settings.hmac_key_path))
            app.state.gateway = gw
            async with rt.sessionmaker() as session:
                catalogues = await gw.load_registry(session)
                await session.commit()
            registry = app.state.agreements = Registry(rt.bus, settings.publish_timeout_s)
            async with rt.sessionmaker() as session:
                notices = await registry.sync(session)
                await session.commit()
            pending = list(catalogues)

            async def publish_catalogues() -> None:
                if pending:
                    await gw.publish_catalogues(pending)
                    pending.clear()
                if notices:
                    await registry.announce(notices)
                    notices.clear()

            try:
                await publish_catalogues()
            except Exception as exc:  # NATS not ready: keep trying in the background
                log.warning("code catalogues not published yet (%s); will retry",
                            type(exc).__name__)
                rt.every(CATALOGUE_RETRY_S, publish_catalogues, "catalogues")
            keeper = app.state.head_keeper = HeadKeeper(
                rt.sessionmaker, rt.bus, trusted_keys(settings.audit_log_key_paths))
            app.state.consumers = {
                "progress": rt.consume(subjects.PROGRESS, handlers.progress),
                "audit_heads": rt.consume(subjects.AUDIT_HEADS, keeper.keep),
            }
            await rt.nc.subscribe(subjects.HEADS.subject, queue="gateway", cb=keeper.answer)
            try:
                yield
            finally:
                # Every reply waited for its PubAcks, so nothing is in flight: close rather
                # than drain (nats-py's drain waits out its timeout on an idle pull
                # subscription whose discarded status messages were never marked done).
                for consumer in rt.consumers:
                    await consumer.stop()
                await rt.nc.close()

    app = service_app("Tessera gateway", lifespan, max_body_bytes=settings.max_body_bytes)
    app.include_router(api.router)
    app.include_router(agreements_api.router)
    app.include_router(audit.router)
    return app
