"""The FastAPI application every service starts from: problem+json errors, the body cap,
health and readiness, the shared token revocation route, the lifespan that builds a
slice's runtime and state, and CORS for the console's origin."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel

from services.common import (
    compliance,
    cors,
    health,
    limits,
    observe,
    openapi,
    problems,
    revocations_api,
)
from services.common.metrics import Metrics
from services.common.runtime import Runtime
from services.common.securitylog import api as security_api
from services.common.securitylog.capture import SecurityCapture
from services.common.settings import ServiceSettings
from services.common.state import SliceState, attach

Start = Callable[[Runtime], AbstractAsyncContextManager[SliceState]]
"""What a slice builds on its runtime: entered at start-up, it yields the slice's state;
left at shutdown, before the runtime stops."""


def service_app(title: str, lifespan, *, max_body_bytes: int | None = None,
                service: str | None = None, description: str = "",
                issuer: str | None = None,
                components: Sequence[type[BaseModel]] = ()) -> FastAPI:
    """The app with its OpenAPI document (services.common.openapi) and /docs and /redoc
    served from the Swagger UI and ReDoc files fastapi-offline ships, so they work with
    no network and load no script from elsewhere."""
    app = FastAPIOffline(title=title, version="1", lifespan=lifespan,
                         description=openapi.describe(description),
                         generate_unique_id_function=openapi.operation_ids(service or title),
                         static_url="/docs-assets")
    openapi.install(app, issuer=issuer, components=components)
    problems.install(app)
    limits.install(app, max_body_bytes)
    app.include_router(health.router)
    app.include_router(revocations_api.router)
    return app


def slice_app(title: str, settings: ServiceSettings, start: Start,
              routers: Sequence[APIRouter], *, inbox_model, events_model, outbox_model=None,
              migrations_dir: Path | None = None, max_body_bytes: int | None = None,
              outer: Sequence[type] = (), description: str = "",
              components: Sequence[type[BaseModel]] = ()) -> FastAPI:
    """A slice's app: its runtime (database, NATS, revocations, outbox relay, security
    log), then what ``start`` builds on it, attached as the app's state for the routes.
    ``outer``: ASGI middleware around everything but CORS, the last inside it (so what
    it answers itself carries CORS headers too). Outside them all, every request is
    observed (``services.common.observe``), and ``GET /metrics`` serves the metrics.
    ``description``: the OpenAPI document's ``info.description``; ``components``: models
    its routes document by reference."""
    metrics = Metrics(settings.service_name)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async with Runtime(settings, inbox_model=inbox_model, outbox_model=outbox_model,
                           events_model=events_model, migrations_dir=migrations_dir,
                           metrics=metrics) as rt, start(rt) as state:
            attach(app, state)
            yield

    app = service_app(title, lifespan, max_body_bytes=max_body_bytes,
                      service=settings.service_name, description=description,
                      issuer=settings.token_issuer, components=components)
    for router in (*routers, security_api.router, compliance.router):
        app.include_router(router)
    app.add_middleware(SecurityCapture)
    for middleware in outer:
        app.add_middleware(middleware)
    cors.install(app, settings.cors_origins)
    observe.install(app, settings, metrics)
    return app
