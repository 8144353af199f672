"""The console's settings: where the browser signs in and which services it calls. It has
no database, no NATS and no secret: the browser holds the user's token, not the console."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from services.common.settings import WebSettings, exact_origins
from services.common.tokens import ClaimMapping

HERE = Path(__file__).resolve().parent
# the development sign-in `tessera run` starts (deploy/signin.py) and the services' ports
DEVELOPMENT_SIGNIN = "http://127.0.0.1:8007"
DEVELOPMENT_SERVICES = {"gateway": "http://127.0.0.1:8000",
                        "pseudonymiser": "http://127.0.0.1:8001",
                        "linker": "http://127.0.0.1:8002", "scorer": "http://127.0.0.1:8003",
                        "reidentify": "http://127.0.0.1:8004",
                        "consent": "http://127.0.0.1:8005"}


class ConsoleSettings(WebSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_CONSOLE_", extra="ignore")

    service_name: str = "console"
    port: int = 8006
    # the name in the header (the council's)
    organisation: str = "Tessera"
    # the identity provider's issuer URL, where the browser finds its discovery document
    # (Keycloak: https://host/realms/<realm>; Entra: https://login.microsoftonline.com/
    # <tenant>/v2.0)
    issuer_url: str = DEVELOPMENT_SIGNIN
    client_id: str = "tessera-console"
    # what the console asks the provider for; Entra needs the API's scope here
    # (api://<app>/<scope>) to issue an access token the services accept
    scopes: list[str] = Field(default_factory=lambda: ["openid"], min_length=1)
    # the token sent to the services: the access token; the ID token only where a
    # provider's access tokens are opaque (a test's provider), never in production
    bearer: Literal["access_token", "id_token"] = "access_token"
    # where the token carries roles and districts, as the services read them (the same
    # mapping as their TOKEN_CLAIMS), so the pages offered match what the APIs allow
    token_claims: ClaimMapping = Field(default_factory=ClaimMapping)
    # each service's base URL as the browser reaches it
    service_urls: dict[str, str] = Field(default_factory=lambda: dict(DEVELOPMENT_SERVICES))
    # the front-end packages (`npm ci` in this folder) and the stylesheet built from them
    node_modules: Path = HERE / "node_modules"
    build_dir: Path = HERE / "build"

    @field_validator("issuer_url")
    @classmethod
    def _issuer(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
                or parts.fragment:
            raise ValueError("issuer_url must be an http(s) URL with no query")
        return value.rstrip("/")

    @field_validator("service_urls")
    @classmethod
    def _services(cls, value: dict[str, str]) -> dict[str, str]:
        out = {}
        for name, url in value.items():
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
                    or parts.fragment or parts.username:
                raise ValueError(f"service_urls[{name!r}] must be an http(s) base URL")
            out[name] = url.rstrip("/")
        return out

    def origins(self) -> list[str]:
        """The origins the browser may call from a console page (its Content Security
        Policy): each service's, and the identity provider's."""
        urls = [self.issuer_url, *self.service_urls.values()]
        return exact_origins([f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in urls])

    def insecure(self) -> list[str]:
        found = super().insecure()
        plain = [u for u in (self.issuer_url, *self.service_urls.values())
                 if u.startswith("http://")]
        if plain:
            found.append(f"{self.env_name('issuer_url')} and {self.env_name('service_urls')} "
                         "must be HTTPS: the browser sends the user's token to them")
        if self.issuer_url == DEVELOPMENT_SIGNIN:
            found.append(f"{self.env_name('issuer_url')} is the development sign-in: name "
                         "the council's identity provider")
        if self.bearer == "id_token":
            found.append(f"{self.env_name('bearer')} is id_token: an ID token is for the "
                         "console, not for the services; send the access token")
        return found

    @model_validator(mode="after")
    def _refuse_insecure(self):
        if self.environment == "production" and (found := self.insecure()):
            raise ValueError("refused in production: " + "; ".join(found))
        return self
