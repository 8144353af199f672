"""The FastAPI application every service starts from: problem+json errors, the body cap,
health and readiness, and the shared token revocation route."""

from __future__ import annotations

from fastapi import FastAPI

from services.common import health, limits, problems, revocations_api


def service_app(title: str, lifespan, *, max_body_bytes: int | None = None) -> FastAPI:
    app = FastAPI(title=title, version="1", lifespan=lifespan)
    problems.install(app)
    limits.install(app, max_body_bytes)
    app.include_router(health.router)
    app.include_router(revocations_api.router)
    return app
