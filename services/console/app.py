"""The console's server: page shells rendered with no data, the front-end packages from
node_modules, and /config.json, which tells the browser where to sign in and where each
service is. It never receives a token, an identity or a count: the browser fetches those
from the services (docs/console.md)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from services.common import observe
from services.console.pages import Page, sections
from services.console.settings import HERE, ConsoleSettings

SERVICE = "Early help console"


def assets(settings: ConsoleSettings) -> dict[str, Path]:
    """Where each mounted folder of front-end files comes from."""
    modules = settings.node_modules
    return {"/assets/govuk": modules / "govuk-frontend" / "dist" / "govuk",
            "/assets/oidc-client-ts": modules / "oidc-client-ts" / "dist" / "browser",
            "/assets/build": settings.build_dir,
            "/static": HERE / "static"}


def policy(settings: ConsoleSettings) -> str:
    """The Content Security Policy: the console's own files, and calls to the services and
    the identity provider alone; no inline script, nothing from elsewhere."""
    connect = " ".join(["'self'", *settings.origins()])
    return ("default-src 'self'; script-src 'self'; style-src 'self'; font-src 'self'; "
            f"img-src 'self' blob:; connect-src {connect}; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


def browser_config(settings: ConsoleSettings) -> dict:
    """What the browser needs to sign in and to call the services; no secret (the console
    is a public client: PKCE stands in for a client secret)."""
    mapping = settings.token_claims
    return {"issuer": settings.issuer_url, "client_id": settings.client_id,
            "scope": " ".join(settings.scopes), "bearer": settings.bearer,
            "claims": {"roles": mapping.roles, "role_values": mapping.role_values,
                       "districts": mapping.districts, "purposes": mapping.purposes,
                       "partner": mapping.partner, "scopes": mapping.scope},
            "services": settings.service_urls}


def create_app(settings: ConsoleSettings | None = None) -> FastAPI:
    settings = settings or ConsoleSettings()
    found = sections()
    templates = Jinja2Templates(directory=HERE / "templates")
    headers = {"Content-Security-Policy": policy(settings), "X-Frame-Options": "DENY",
               "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
               "Cross-Origin-Opener-Policy": "same-origin"}
    common = {"service": SERVICE, "organisation": settings.organisation, "sections": found}

    app = FastAPI(title="Tessera console", version="1", docs_url=None, redoc_url=None,
                  openapi_url=None)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.update(headers)
        return response

    def render(request: Request, template: str, status_code: int = 200, **context) -> Response:
        return templates.TemplateResponse(request, template, {
            **common, "path": request.url.path, **context}, status_code=status_code)

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request):
        return render(request, "home.html", title=SERVICE)

    redirects = {"/sign-in": ("Signing in", "signin.js", "Taking you to sign in."),
                 "/callback": ("Signing in", "callback.js", "Finishing signing in."),
                 "/sign-out": ("Signing out", "signout.js", "Signing you out.")}
    for route, (title, script, status) in redirects.items():
        def redirect(request: Request, title=title, script=script, status=status):
            return render(request, "redirect.html", title=title, script=script,
                          status=status)
        app.add_api_route(route, redirect, response_class=HTMLResponse, methods=["GET"])

    @app.get("/signed-out", response_class=HTMLResponse)
    async def signed_out(request: Request):
        return render(request, "signed-out.html", title="Signed out")

    for section in found:
        for item in section.pages:
            def show(request: Request, item: Page = item):
                return render(request, item.template, title=item.title, page=item)
            app.add_api_route(item.path, show, response_class=HTMLResponse, methods=["GET"])

    @app.get("/config.json")
    async def config() -> JSONResponse:
        return JSONResponse(browser_config(settings), headers={"Cache-Control": "no-store"})

    @app.get("/favicon.ico")
    async def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        """Ready when the front-end packages are installed and the stylesheet built."""
        missing = [route for route, folder in assets(settings).items() if not folder.is_dir()]
        return JSONResponse({"status": "unavailable" if missing else "ok", "missing": missing},
                            status_code=503 if missing else 200)

    for route, folder in assets(settings).items():
        # check_dir off: a missing install shows in /readyz, not as a crash at start-up
        app.mount(route, StaticFiles(directory=folder, check_dir=False), name=route)

    @app.exception_handler(HTTPException)
    async def not_found(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return render(request, "not-found.html", status_code=404, title="Page not found")
        return JSONResponse({"title": exc.detail}, status_code=exc.status_code,
                            media_type="application/problem+json")

    observe.install(app, settings)  # request ids, access lines and GET /metrics
    return app
