"""RFC 9457 problem+json errors that say what was wrong and where, never echoing values."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("tessera.http")

PROBLEM = "application/problem+json"


class FieldIssue(BaseModel):
    """One thing wrong with a request: where (path segments, a row by its index) and
    what, never the value sent."""

    loc: list[str | int]
    msg: str
    type: str | None = None


class ProblemDetail(BaseModel):
    """RFC 9457 problem details, as every error is answered. Some carry more members
    (``errors``; a refused unlock's ``access_id``)."""

    model_config = ConfigDict(extra="allow")
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldIssue] | None = None


# the one component every documented error refers to (services.common.openapi adds it)
PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetail"}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting problem+json errors, for routers and routes."""
    from http import HTTPStatus

    return {
        code: {"description": HTTPStatus(code).phrase,
               "content": {PROBLEM: {"schema": PROBLEM_REF}}}
        for code in codes
    }


# What every authenticated route can answer.
AUTHENTICATED = problem_responses(400, 401, 403, 422)


class Problem(Exception):
    def __init__(self, status: int, title: str, detail: str = "", *,
                 type_: str = "about:blank", headers: dict[str, str] | None = None,
                 **extra: Any):
        self.status, self.title, self.detail = status, title, detail
        self.type, self.headers, self.extra = type_, headers, extra


def problem_response(status: int, title: str, detail: str = "", *,
                     type_: str = "about:blank", instance: str | None = None,
                     headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def describe_errors(errors: list[dict]) -> list[dict[str, Any]]:
    """Validation errors as location and message only: the submitted value is never echoed."""
    out = []
    for err in errors:
        loc = [p for p in err.get("loc", ()) if p not in ("body",)]
        out.append({"loc": loc, "msg": err.get("msg", "invalid"), "type": err.get("type")})
    return out


def _where(loc: list) -> str:
    row = next((p for p in loc if isinstance(p, int)), None)
    field = next((p for p in reversed(loc) if isinstance(p, str)), None)
    parts = []
    if row is not None:
        parts.append(f"row {row}")
    if field:
        parts.append(f"field '{field}'")
    return ", ".join(parts) or "request"


def install(app: FastAPI) -> None:
    """Problem handlers: every error a problem+json response."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem):
        return problem_response(exc.status, exc.title, exc.detail, type_=exc.type,
                                instance=request.url.path, headers=exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = describe_errors(exc.errors())
        first = errors[0] if errors else {"loc": [], "msg": "invalid"}
        detail = f"{_where(first['loc'])}: {first['msg']}"
        return problem_response(422, "Request is not valid", detail,
                                instance=request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else ""
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return problem_response(exc.status_code, _title(exc.status_code), detail,
                                instance=request.url.path, headers=headers or None)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception):
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return problem_response(500, "Internal error", "an unexpected error occurred",
                                instance=request.url.path)


def _allowed_methods(request: Request) -> list[str]:
    """Every method served at this path, from the OpenAPI paths (Starlette's 405 names only
    the first matching route's methods, and FastAPI nests included routers)."""
    import re

    app = request.app
    patterns = getattr(app.state, "_allow_patterns", None)
    if patterns is None:
        patterns = []
        for path, item in app.openapi().get("paths", {}).items():
            regex = re.compile("^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(path)) + "$")
            methods = {m.upper() for m in item if m in {"get", "post", "put", "patch", "delete"}}
            if "GET" in methods:
                methods.add("HEAD")
            patterns.append((regex, "{" not in path, methods))
        app.state._allow_patterns = patterns
    matches = [(literal, methods) for regex, literal, methods in patterns
               if regex.match(request.url.path)]
    if any(literal for literal, _ in matches):  # /rules/schema is not /rules/{rule_id}
        matches = [m for m in matches if m[0]]
    return sorted(set().union(*(methods for _, methods in matches)))


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
