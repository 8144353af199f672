"""Every service's OpenAPI document, shaped for client generators: operationIds short and
unique across the federation, one ProblemDetail component for every error, named request
body components, and the security scheme the deployment really uses.

FastAPI writes the document from the routes; ``install`` adds what it cannot know (the
shared components, which issuer signs the tokens) once, after it has written it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel

from services.common.problems import PROBLEM, ProblemDetail, problem_responses
from services.common.settings import DEVELOPMENT_ISSUER

REF = "#/components/schemas/{model}"
# FastAPI's own 422 body; every service answers validation errors with a ProblemDetail
FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")
SHARED = "services.common."
BEARER = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
          "description": "A JWT (EdDSA or ES256) from the issuer the service trusts"}


ERRORS = ("Errors are RFC 9457 `application/problem+json` (the ProblemDetail schema): what "
          "was wrong and where (a row by its index, a field by its name), never a value "
          "sent. The repository's docs/api.md is the contract in prose.")


def describe(service: str) -> str:
    """``info.description``: what the service is for, then how every service answers errors."""
    return f"{service}\n\n{ERRORS}" if service else ERRORS


def camel(name: str) -> str:
    first, *rest = [w for w in re.split(r"[_\W]+", name) if w]
    return first.lower() + "".join(w[:1].upper() + w[1:] for w in rest)


def operation_ids(service: str) -> Callable[[APIRoute], str]:
    """FastAPI's ``generate_unique_id_function``: the route's name in camelCase
    (``upload_identities`` -> ``uploadIdentities``); a route every service serves from
    services.common carries the service's name first (``linkerHealthz``), so no two
    operations of the federation share an id."""

    def generate(route: APIRoute) -> str:
        shared = getattr(route.endpoint, "__module__", "").startswith(SHARED)
        return camel(f"{service}_{route.name}" if shared else route.name)

    return generate


def body(*, json: type[BaseModel] | None = None, text: dict[str, str] | None = None,
         examples: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """openapi_extra for a route that reads its own body: the JSON one by reference to a
    component (listed in ``install(components=...)``), and other media types given as
    text (media type -> description), each sent as a string of bytes."""
    content: dict[str, Any] = {}
    if json is not None:
        content["application/json"] = {"schema": {"$ref": REF.format(model=json.__name__)}}
    for media, description in (text or {}).items():
        content[media] = {"schema": {"type": "string", "format": "binary",
                                     "description": description}}
    for media, found in (examples or {}).items():
        content[media]["examples"] = found
    return {"requestBody": {"required": True, "content": content}}


def install(app: FastAPI, *, issuer: str | None = None,
            components: Sequence[type[BaseModel]] = ()) -> None:
    """The app's ``openapi()`` returns FastAPI's document with the shared shape applied.
    ``issuer``: the token issuer; one other than the development issuer is documented as
    OpenID Connect by its discovery document, the development one as plain bearer JWTs.
    ``components``: models routes refer to without FastAPI seeing them (``body``)."""
    models = (ProblemDetail, *components)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes, webhooks=_accepting(models),
                separate_input_output_schemas=app.separate_input_output_schemas)
            shape(doc, issuer, _refs(doc.pop("webhooks")))
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _accepting(models: Sequence[type[BaseModel]]) -> list:
    """A route taking each model as its body, passed to FastAPI as webhooks and dropped
    after: so FastAPI names and writes their schemas with the routes' own, the same model
    under the same name (pydantic alone would write the same models differently)."""
    router = APIRouter()
    for model in models:
        async def accept(body) -> None: ...  # never served

        accept.__annotations__ = {"body": model, "return": None}
        router.add_api_route(f"/{model.__name__}", accept, methods=["POST"])
    return router.routes


def _refs(hooks: dict[str, Any]) -> dict[str, str]:
    """Each model's name -> the reference FastAPI gave its schema."""
    return {name.lstrip("/"): item["post"]["requestBody"]["content"]["application/json"][
        "schema"]["$ref"] for name, item in hooks.items()}


def shape(doc: dict[str, Any], issuer: str | None, refs: dict[str, str]) -> None:
    schemas = doc["components"]["schemas"]
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                named = media.get("schema", {}).get("$ref", "").rpartition("/")[2]
                if named in refs:
                    media["schema"]["$ref"] = refs[named]
            responses = operation.get("responses", {})
            if "requestBody" in operation:  # services.common.limits caps every body
                responses.setdefault("413", problem_responses(413)[413])
            for status, response in responses.items():
                if status[:1] in "45" and not _own_body(response):
                    response["content"] = {PROBLEM: {"schema": {"$ref": refs["ProblemDetail"]}}}
    for name in FASTAPI_VALIDATION:
        schemas.pop(name, None)
    _security(doc, issuer)


def _own_body(response: dict[str, Any]) -> bool:
    """An error a route answers with a model of its own rather than a problem (/readyz's
    503 carries the readiness checks); FastAPI's validation error is not one."""
    named = response.get("content", {}).get("application/json", {}).get("schema", {}).get(
        "$ref", "").rpartition("/")[2]
    return bool(named) and named not in FASTAPI_VALIDATION


def _security(doc: dict[str, Any], issuer: str | None) -> None:
    """One scheme, named ``bearer`` or ``openIdConnect``, in place of FastAPI's HTTPBearer."""
    if issuer and issuer.rstrip("/") != DEVELOPMENT_ISSUER:
        name, scheme = "openIdConnect", {
            "type": "openIdConnect",
            "openIdConnectUrl": issuer.rstrip("/") + "/.well-known/openid-configuration",
            "description": "Tokens from the council's identity provider"}
    else:
        name, scheme = "bearer", BEARER
    components = doc["components"]
    if not components.pop("securitySchemes", None):
        return
    components["securitySchemes"] = {name: scheme}
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            if "security" in operation:
                operation["security"] = [{name: []}]
