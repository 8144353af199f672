"""The development sign-in: a small OpenID provider `tessera run` starts beside the
console, so that signing in works on a laptop with no identity provider.

It signs with the development issuer's key (var/keys/issuer), which every service already
trusts in development, and names itself that issuer. A person picks a role from a list;
there is no password, so it refuses to start outside development. It does what the
console needs of a council's provider and nothing more: discovery, the authorisation
code flow with PKCE (S256, required), redirect URIs registered exactly, an access token
for every service's audience, an ID token for the console, and an end-session redirect.

    python -m deploy.signin            # `tessera run` starts it on 127.0.0.1:8007
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from services.common import cors
from services.common.settings import DEVELOPMENT_ISSUER, VAR, WebSettings, exact_origins
from services.common.subjects import SERVICES
from services.common.tokens import current_signing_key, mint

CODE_LIFETIME_S = 120
TOKEN_LIFETIME_S = 600  # under the shortest a role may hold (docs/security.md)
DISTRICTS = ["OL1", "OL2", "OL4", "OL8", "OL9"]
ORG = "oldham-early-help"

# who one can sign in as: a role (or two), with what the services read besides
PEOPLE: dict[str, dict] = {
    "coordinator": {"label": "Co-ordinator", "roles": ["coordinator"],
                    "districts": DISTRICTS},
    "analyst": {"label": "Analyst", "roles": ["analyst"]},
    "caseworker": {"label": "Caseworker (districts OL1 and OL2)", "roles": ["caseworker"],
                   "districts": ["OL1", "OL2"], "purposes": ["early-help-triage"],
                   "org": ORG},
    "linkage-officer": {"label": "Linkage officer", "roles": ["linkage-officer"]},
    "auditor": {"label": "Auditor", "roles": ["auditor"]},
    "dpo": {"label": "Data protection officer", "roles": ["dpo"]},
    "admin": {"label": "Administrator", "roles": ["admin"]},
    "partner": {"label": "Partner (GP practice P81001)", "partner": "gp-p81001",
                "scope": ["ingest"]},
}


class SigninSettings(WebSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_SIGNIN_", extra="ignore")

    service_name: str = "signin"
    port: int = 8007
    # the development issuer's key directory (deploy.keys)
    issuer_dir: Path = VAR / "keys" / "issuer"
    # each client and its redirect URIs, compared exactly
    clients: dict[str, list[str]] = Field(default_factory=lambda: {"tessera-console": [
        "http://127.0.0.1:8006/callback", "http://localhost:8006/callback"]})
    # where a client may be sent back after signing out
    signed_out_uris: list[str] = Field(default_factory=lambda: [
        "http://127.0.0.1:8006/signed-out", "http://localhost:8006/signed-out"])

    @model_validator(mode="after")
    def _development_only(self):
        if self.environment != "development":
            raise ValueError("the development sign-in asks for no password: it runs in "
                             "development only; name the council's identity provider")
        return self

    def origins(self) -> list[str]:
        """The clients' origins: the browser calls the token endpoint from them."""
        uris = [u for uris in self.clients.values() for u in uris]
        return exact_origins([f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in uris])


@dataclass(frozen=True)
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    person: str
    expires: float


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def form(request: Request):
    """An urlencoded body's fields (the first of each; "" when absent): read with the
    standard library, so the development sign-in needs no form parser."""
    fields = parse_qs((await request.body()).decode(errors="replace"), max_num_fields=32)
    return lambda name: fields.get(name, [""])[0]


def oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description},
                        status_code=status, headers={"Cache-Control": "no-store"})


def form_page(query: dict[str, str], client_id: str) -> str:
    """The sign-in page: one radio per person, sent back with the request's parameters."""
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in query.items())
    people = "".join(
        f'<div><input type="radio" name="person" id="p-{key}" value="{key}"'
        f'{" checked" if i == 0 else ""}> <label for="p-{key}">{html.escape(p["label"])}'
        "</label></div>" for i, (key, p) in enumerate(PEOPLE.items()))
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Development sign-in</title></head><body style=\"font-family: arial, "
            "sans-serif; max-width: 40em; margin: 2em auto\"><main>"
            "<h1>Development sign-in</h1>"
            f"<p>{html.escape(client_id)} asks you to sign in. This stands in for the "
            "council's identity provider on a developer's machine: choose who to be.</p>"
            f"<form method=\"post\"><fieldset><legend>Sign in as</legend>{people}</fieldset>"
            f"{hidden}<p><button type=\"submit\">Sign in</button></p></form>"
            "</main></body></html>")


def create_app(settings: SigninSettings | None = None) -> FastAPI:
    settings = settings or SigninSettings()
    grants: dict[str, Grant] = {}
    audiences = [f"tessera-{s}" for s in SERVICES]
    app = FastAPI(title="Tessera development sign-in", docs_url=None, redoc_url=None,
                  openapi_url=None)
    cors.install(app, settings.origins())

    def base(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    @app.get("/.well-known/openid-configuration")
    async def discovery(request: Request) -> dict:
        here = base(request)
        return {"issuer": DEVELOPMENT_ISSUER,
                "authorization_endpoint": f"{here}/authorize",
                "token_endpoint": f"{here}/token", "jwks_uri": f"{here}/jwks",
                "end_session_endpoint": f"{here}/end-session",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none"],
                "id_token_signing_alg_values_supported": ["EdDSA"],
                "subject_types_supported": ["public"], "scopes_supported": ["openid"]}

    @app.get("/jwks")
    async def jwks() -> Response:
        return Response((settings.issuer_dir / "jwks.json").read_bytes(),
                        media_type="application/json")

    def checked(client_id: str, redirect_uri: str, response_type: str,
                code_challenge: str, code_challenge_method: str) -> str | None:
        """Why an authorisation request is refused, or None."""
        if redirect_uri not in settings.clients.get(client_id, []):
            return "unknown client or redirect URI"
        if response_type != "code":
            return "only the authorisation code flow"
        if code_challenge_method != "S256" or not 43 <= len(code_challenge) <= 128:
            return "PKCE with S256 is required"
        return None

    @app.get("/authorize", response_class=HTMLResponse)
    async def authorize(request: Request, client_id: str = "", redirect_uri: str = "",
                        response_type: str = "", code_challenge: str = "",
                        code_challenge_method: str = "") -> HTMLResponse:
        if why := checked(client_id, redirect_uri, response_type, code_challenge,
                          code_challenge_method):
            return HTMLResponse(f"<p>Refused: {html.escape(why)}</p>", status_code=400)
        return HTMLResponse(form_page(dict(request.query_params), client_id))

    @app.post("/authorize")
    async def approve(request: Request) -> Response:
        sent = await form(request)
        person, client_id, redirect_uri = sent("person"), sent("client_id"), sent("redirect_uri")
        code_challenge, state, nonce = sent("code_challenge"), sent("state"), sent("nonce")
        if why := checked(client_id, redirect_uri, sent("response_type"), code_challenge,
                          sent("code_challenge_method")):
            return HTMLResponse(f"<p>Refused: {html.escape(why)}</p>", status_code=400)
        if person not in PEOPLE:
            return HTMLResponse("<p>Refused: choose someone from the list</p>",
                                status_code=400)
        now = time.time()
        for code in [c for c, g in grants.items() if g.expires < now]:
            del grants[code]
        code = secrets.token_urlsafe(32)
        grants[code] = Grant(client_id, redirect_uri, code_challenge, nonce or None, person,
                             now + CODE_LIFETIME_S)
        return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}",
                                status_code=303)

    @app.post("/token")
    async def token(request: Request) -> JSONResponse:
        sent = await form(request)
        code, redirect_uri, client_id = sent("code"), sent("redirect_uri"), sent("client_id")
        code_verifier = sent("code_verifier")
        if sent("grant_type") != "authorization_code":
            return oauth_error("unsupported_grant_type", "only authorization_code")
        grant = grants.pop(code, None)  # a code is good once
        if grant is None or grant.expires < time.time():
            return oauth_error("invalid_grant", "unknown or expired code")
        if (grant.client_id, grant.redirect_uri) != (client_id, redirect_uri):
            return oauth_error("invalid_grant", "the code was issued to another client")
        if not hmac.compare_digest(s256(code_verifier), grant.challenge):
            return oauth_error("invalid_grant", "the PKCE verifier does not match")
        person = PEOPLE[grant.person]
        claims = {k: v for k, v in person.items() if k != "label"}
        subject = f"dev-{grant.person}"
        kid, pem = current_signing_key(settings.issuer_dir)
        access = mint(pem, kid, issuer=DEVELOPMENT_ISSUER, audience=audiences,
                      subject=subject, lifetime_s=TOKEN_LIFETIME_S, **claims)
        identity = mint(pem, kid, issuer=DEVELOPMENT_ISSUER, audience=client_id,
                        subject=subject, lifetime_s=TOKEN_LIFETIME_S, name=person["label"],
                        **({"nonce": grant.nonce} if grant.nonce else {}))
        return JSONResponse({"access_token": access, "id_token": identity,
                             "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_S,
                             "scope": "openid"}, headers={"Cache-Control": "no-store"})

    @app.get("/end-session")
    async def end_session(post_logout_redirect_uri: str = "", state: str = "") -> Response:
        if post_logout_redirect_uri in settings.signed_out_uris:
            query = f"?{urlencode({'state': state})}" if state else ""
            return RedirectResponse(post_logout_redirect_uri + query, status_code=303)
        return HTMLResponse("<p>You have signed out.</p>")

    @app.get("/readyz")
    async def readyz() -> dict:
        return {"status": "ok"}

    return app


def main(argv: list[str] | None = None) -> int:
    from services.common.commands import web_main

    return web_main(SigninSettings, create_app, argv, package="deploy.signin")


if __name__ == "__main__":
    sys.exit(main())
