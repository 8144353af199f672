"""The development sign-in `tessera run` starts for the console: the authorisation code flow
with PKCE, tokens signed with the development issuer's key that every service accepts, and
a refusal to run anywhere but development."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import ValidationError

from deploy.signin import SigninSettings, create_app, s256
from services.common.settings import DEVELOPMENT_ISSUER
from services.common.tokens import (
    FileKeys,
    Lifetimes,
    TokenError,
    TokenVerifier,
    generate_issuer_key,
)

CALLBACK = "http://127.0.0.1:8006/callback"


@pytest.fixture
def signin(tmp_path):
    generate_issuer_key(tmp_path / "issuer")
    settings = SigninSettings(issuer_dir=tmp_path / "issuer")
    return settings, httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings)),
                                       base_url="http://127.0.0.1:8007")


def request(verifier: str, **change) -> dict[str, str]:
    return {"client_id": "tessera-console", "redirect_uri": CALLBACK, "response_type": "code",
            "scope": "openid", "state": "st", "nonce": "n-1", "code_challenge": s256(verifier),
            "code_challenge_method": "S256", **change}


async def code_for(http, verifier: str, person: str) -> str:
    form = await http.get("/authorize", params=request(verifier))
    assert form.status_code == 200 and "Development sign-in" in form.text
    answer = await http.post("/authorize", data={**request(verifier), "person": person})
    assert answer.status_code == 303
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    query = parse_qs(location.query)
    assert query["state"] == ["st"]
    return query["code"][0]


async def test_a_caseworker_signs_in_with_pkce_and_every_service_accepts_the_token(signin):
    settings, http = signin
    verifier = secrets.token_urlsafe(48)
    async with http:
        discovery = (await http.get("/.well-known/openid-configuration")).json()
        assert discovery["issuer"] == DEVELOPMENT_ISSUER
        assert discovery["code_challenge_methods_supported"] == ["S256"]
        code = await code_for(http, verifier, "caseworker")
        token = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
                 "client_id": "tessera-console", "code_verifier": verifier}
        wrong = await http.post("/token", data={**token, "code_verifier": "x" * 48})
        assert wrong.json()["error"] == "invalid_grant"
        # the wrong verifier spent the code: it is good once, whatever happens
        assert (await http.post("/token", data=token)).json()["error"] == "invalid_grant"
        code = await code_for(http, verifier, "caseworker")
        tokens = (await http.post("/token", data={**token, "code": code},
                                  headers={"Origin": "http://127.0.0.1:8006"}))
        assert tokens.headers["access-control-allow-origin"] == "http://127.0.0.1:8006"
        tokens = tokens.json()
        assert (await http.post("/token", data={**token, "code": code})).status_code == 400
    for service in ("scorer", "reidentify", "linker"):
        verifier_ = TokenVerifier(FileKeys(settings.issuer_dir / "jwks.json"),
                                  DEVELOPMENT_ISSUER, f"tessera-{service}", Lifetimes(900))
        claims = verifier_.verify(tokens["access_token"])
        assert (claims.sub, claims.roles, claims.districts) == (
            "dev-caseworker", ["caseworker"], ["OL1", "OL2"])
        assert "otp" in claims.amr
    identity = TokenVerifier(FileKeys(settings.issuer_dir / "jwks.json"), DEVELOPMENT_ISSUER,
                             "tessera-console", Lifetimes(900))
    assert identity.verify(tokens["id_token"]).raw["nonce"] == "n-1"
    with pytest.raises(TokenError, match="audience"):
        identity.verify(tokens["access_token"])


async def test_unregistered_redirects_and_plain_requests_are_refused(signin):
    _, http = signin
    verifier = secrets.token_urlsafe(48)
    async with http:
        for change in ({"redirect_uri": "https://attacker.test/callback"},
                       {"client_id": "someone-else"}, {"code_challenge_method": "plain"},
                       {"code_challenge": ""}, {"response_type": "token"}):
            answer = await http.get("/authorize", params=request(verifier, **change))
            assert answer.status_code == 400, change
            answer = await http.post("/authorize", data={**request(verifier, **change),
                                                         "person": "admin"})
            assert answer.status_code == 400, change
        away = await http.get("/end-session", params={
            "post_logout_redirect_uri": "https://attacker.test/", "state": "s"})
        assert away.status_code == 200
        back = await http.get("/end-session", params={
            "post_logout_redirect_uri": "http://127.0.0.1:8006/signed-out", "state": "s"})
        assert back.headers["location"] == "http://127.0.0.1:8006/signed-out?state=s"


@pytest.mark.parametrize("environment", ["test", "production"])
def test_it_runs_in_development_only(environment, tmp_path):
    with pytest.raises(ValidationError, match="development only"):
        SigninSettings(environment=environment, issuer_dir=tmp_path)
