"""The council's identity provider: tokens signed with any configured algorithm among
RS256, PS256, ES256 and EdDSA (never HS* or none), keys found by OpenID Connect
discovery, and claims read through a mapping (Keycloak realm roles, Entra app roles,
scp and uti). The end-to-end case runs a real OpenID Connect provider
(oidc-provider-mock) through the authorisation-code flow and a slice's start-up."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from services.common.runtime import Runtime
from services.common.settings import ServiceSettings
from services.common.state import SliceState, attach
from services.common.tokens import (
    ClaimMapping,
    FileKeys,
    Lifetimes,
    MfaRule,
    StepUpRequired,
    TokenError,
    TokenVerifier,
    parse_jwks,
)
from services.common.web import service_app

ISSUER, AUDIENCE = "https://login.council.test/realms/tessera", "tessera-scorer"
LIFETIMES = Lifetimes(3600)
KEYCLOAK = ClaimMapping(roles="realm_access.roles",
                        role_values={"tessera-admin": "admin", "tessera-caseworker": "caseworker"})
ENTRA = ClaimMapping(roles="roles", scope="scp", jti="uti",
                     role_values={"Tessera.Admin": "admin"})


def _keys():
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "RS256": rsa_key, "PS256": rsa_key,
        "ES256": ec.generate_private_key(ec.SECP256R1()),
        "EdDSA": ed25519.Ed25519PrivateKey.generate(),
    }


def _jwk(private, kid: str, alg: str | None) -> dict:
    algorithm = {"RS256": jwt.algorithms.RSAAlgorithm, "PS256": jwt.algorithms.RSAAlgorithm,
                 "ES256": jwt.algorithms.ECAlgorithm, "EdDSA": jwt.algorithms.OKPAlgorithm}
    jwk = json.loads(algorithm[alg or "RS256"].to_jwk(private.public_key()))
    jwk.update({"kid": kid, "use": "sig"})
    if alg:
        jwk["alg"] = alg
    return jwk


@pytest.fixture
def provider(tmp_path):
    """A JWKS file with a key per algorithm (the RSA one without ``alg``, as Entra ID
    publishes it) and an encryption key that must be ignored."""
    keys = _keys()
    jwks = [_jwk(keys["RS256"], "rsa", None), _jwk(keys["ES256"], "ec", "ES256"),
            _jwk(keys["EdDSA"], "ed", "EdDSA"),
            {**_jwk(keys["RS256"], "enc", None), "use": "enc", "alg": "RSA-OAEP"}]
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": jwks}))
    kids = {"RS256": "rsa", "PS256": "rsa", "ES256": "ec", "EdDSA": "ed"}
    return tmp_path / "jwks.json", keys, kids


def _token(private, alg: str, kid: str, **claims) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u-1", "iat": now, "exp": now + 300,
               "jti": uuid.uuid4().hex, **claims}
    return jwt.encode(payload, private, algorithm=alg, headers={"kid": kid})


@pytest.mark.parametrize("accepted", [("RS256",), ("PS256", "ES256"), ("EdDSA",),
                                      ("RS256", "PS256", "ES256", "EdDSA")])
def test_each_configured_algorithm_is_accepted_and_no_other(provider, accepted):
    path, keys, kids = provider
    verifier = TokenVerifier(FileKeys(path), ISSUER, AUDIENCE, LIFETIMES, algorithms=accepted)
    for alg in ("RS256", "PS256", "ES256", "EdDSA"):
        token = _token(keys[alg], alg, kids[alg], roles=["admin"])
        if alg in accepted:
            assert verifier.verify(token).roles == ["admin"]
        else:
            with pytest.raises(TokenError, match="algorithm not accepted"):
                verifier.verify(token)


def test_shared_secret_and_unsigned_tokens_are_refused(provider):
    path, keys, _ = provider
    verifier = TokenVerifier(FileKeys(path), ISSUER, AUDIENCE, LIFETIMES,
                             algorithms=("RS256", "PS256", "ES256", "EdDSA"))
    public_pem = keys["RS256"].public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u", "iat": now, "exp": now + 60,
               "jti": "j", "roles": ["admin"]}
    hs = _hs256(payload, public_pem)  # PyJWT itself refuses to make one
    unsigned = jwt.encode(payload, None, algorithm="none", headers={"kid": "rsa"})
    for token in (hs, unsigned):
        with pytest.raises(TokenError, match="algorithm not accepted"):
            verifier.verify(token)
    with pytest.raises(ValueError):
        TokenVerifier(FileKeys(path), ISSUER, AUDIENCE, LIFETIMES, algorithms=("HS256",))


def _hs256(payload: dict, secret: bytes) -> str:
    """A token "signed" with HMAC keyed by the public key: the classic confusion attack."""
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing = b64(json.dumps({"alg": "HS256", "kid": "rsa", "typ": "JWT"}).encode()) + "." + \
        b64(json.dumps(payload).encode())
    return signing + "." + b64(hmac.new(secret, signing.encode(), hashlib.sha256).digest())


def test_a_token_without_kid_needs_the_setting_and_a_single_fitting_key(provider):
    path, keys, _ = provider
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u", "iat": now, "exp": now + 60,
               "jti": "j"}
    strict = TokenVerifier(FileKeys(path), ISSUER, AUDIENCE, LIFETIMES,
                           algorithms=("RS256", "ES256"))
    with pytest.raises(TokenError, match="no key id"):
        strict.verify(jwt.encode(payload, keys["ES256"], algorithm="ES256"))
    verifier = TokenVerifier(FileKeys(path), ISSUER, AUDIENCE, LIFETIMES,
                             algorithms=("RS256", "ES256"), kid_optional=True)
    assert verifier.verify(jwt.encode(payload, keys["ES256"], algorithm="ES256")).sub == "u"
    jwks = json.loads(path.read_text())
    second = {**_jwk(ec.generate_private_key(ec.SECP256R1()), "ec-2", "ES256")}
    path.write_text(json.dumps({"keys": [*jwks["keys"], second]}))
    fresh = TokenVerifier(FileKeys(path), ISSUER, AUDIENCE, LIFETIMES, algorithms=("ES256",),
                          kid_optional=True)
    with pytest.raises(TokenError, match="no key id"):
        fresh.verify(jwt.encode(payload, keys["ES256"], algorithm="ES256"))


def test_a_key_serves_only_the_algorithms_of_its_type(provider):
    path, keys, _ = provider
    verifier = TokenVerifier(FileKeys(path), ISSUER, AUDIENCE, LIFETIMES,
                             algorithms=("RS256", "ES256", "EdDSA"))
    # an EC signature presented under the RSA key's kid, and RS256 under the EC key's
    with pytest.raises(TokenError, match="does not match its key"):
        verifier.verify(_token(keys["ES256"], "ES256", "rsa"))
    with pytest.raises(TokenError, match="does not match its key"):
        verifier.verify(_token(keys["RS256"], "RS256", "ec"))
    assert "enc" not in parse_jwks(json.loads(path.read_text()))


def test_keycloak_realm_roles_are_mapped_and_others_ignored(provider):
    path, keys, kids = provider
    verifier = TokenVerifier(FileKeys(path), ISSUER, AUDIENCE, LIFETIMES,
                             algorithms=("RS256",), claims=KEYCLOAK)
    claims = verifier.verify(_token(keys["RS256"], "RS256", kids["RS256"], realm_access={
        "roles": ["offline_access", "tessera-caseworker", "uma_authorization"]},
        districts=["OL1"]))
    assert claims.roles == ["caseworker"] and claims.districts == ["OL1"]
    none = verifier.verify(_token(keys["RS256"], "RS256", kids["RS256"]))
    assert none.roles == []
    with pytest.raises(TokenError, match="'realm_access.roles' has the wrong type"):
        verifier.verify(_token(keys["RS256"], "RS256", kids["RS256"],
                               realm_access={"roles": "tessera-admin"}))


def test_an_id_token_is_not_taken_for_an_access_token(provider):
    path, keys, kids = provider
    verifier = TokenVerifier(FileKeys(path), ISSUER, AUDIENCE, LIFETIMES,
                             algorithms=("RS256",),
                             claims=KEYCLOAK.model_copy(update={"expect": {"typ": "Bearer"}}))
    access = _token(keys["RS256"], "RS256", kids["RS256"], typ="Bearer",
                    realm_access={"roles": ["tessera-admin"]})
    assert verifier.verify(access).roles == ["admin"]
    for typ in ("ID", None):
        extra = {"typ": typ} if typ else {}
        with pytest.raises(TokenError, match="'typ' is not the one expected"):
            verifier.verify(_token(keys["RS256"], "RS256", kids["RS256"], **extra,
                                   realm_access={"roles": ["tessera-admin"]}))


def test_entra_app_roles_scp_and_uti(provider):
    path, keys, kids = provider
    verifier = TokenVerifier(FileKeys(path), ISSUER, AUDIENCE, LIFETIMES,
                             algorithms=("RS256",), claims=ENTRA)
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "oid-1", "iat": now, "exp": now + 300,
               "uti": "u-ti", "roles": ["Tessera.Admin", "Other.Role"], "scp": "ingest read"}
    claims = verifier.verify(jwt.encode(payload, keys["RS256"], algorithm="RS256",
                                        headers={"kid": kids["RS256"]}))
    assert (claims.jti, claims.roles, claims.scope) == ("u-ti", ["admin"], ["ingest", "read"])
    del payload["uti"]
    with pytest.raises(TokenError, match="lacks the uti claim"):
        verifier.verify(jwt.encode(payload, keys["RS256"], algorithm="RS256",
                                   headers={"kid": kids["RS256"]}))


# --- a real OpenID Connect provider, through a slice's start-up ---------------------------


@pytest.fixture(scope="module")
def oidc():
    """oidc-provider-mock on a free port: discovery, JWKS (RS256) and the code flow."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(port=0, access_token_max_age=timedelta(minutes=10)) as server:
        yield f"http://localhost:{server.server_port}"


def id_token(issuer: str, client: str, sub: str, claims: dict) -> str:
    """Sign in as ``sub`` through the authorisation-code flow and return the ID token."""
    with httpx.Client(base_url=issuer, timeout=10) as http:
        assert http.put(f"/users/{sub}", json=claims).status_code == 204
        redirect = "http://localhost/callback"
        query = {"client_id": client, "redirect_uri": redirect, "response_type": "code",
                 "scope": "openid", "state": "s"}
        answer = http.post("/oauth2/authorize", params=query, data={"sub": sub})
        assert answer.status_code == 302, answer.text
        code = parse_qs(urlparse(answer.headers["location"]).query)["code"][0]
        tokens = http.post("/oauth2/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
            "client_id": client, "client_secret": "secret"}).json()
    return tokens["id_token"]


async def test_a_slice_takes_tokens_from_the_councils_provider(oidc, nats_env, tmp_path):
    client = "tessera-scorer"
    settings = ServiceSettings(
        service_name="scorer", **{**nats_env.settings_kwargs(
            "scorer", f"sqlite+aiosqlite:///{tmp_path / 'scorer.db'}"),
            "token_issuer": oidc, "token_audience": client, "token_discovery": True,
            "token_algorithms": ["RS256"], "token_kid_optional": True,
            "token_claims": KEYCLOAK.model_copy(update={"jti": "session_id"})})
    admin = id_token(oidc, client, "ada", {
        "realm_access": {"roles": ["tessera-admin"]}, "session_id": uuid.uuid4().hex,
        "amr": ["pwd", "otp"]})
    # an admin who signed in with a password alone
    weak = id_token(oidc, client, "eve", {
        "realm_access": {"roles": ["tessera-admin"]}, "session_id": uuid.uuid4().hex,
        "amr": ["pwd"]})
    clerk = id_token(oidc, client, "bob", {
        "realm_access": {"roles": ["tessera-clerk"]}, "session_id": uuid.uuid4().hex})
    assert jwt.get_unverified_header(admin)["alg"] == "RS256"

    async with Runtime(settings) as rt:
        claims = rt.gatekeeper.authenticate(f"Bearer {admin}")
        assert (claims.sub, claims.roles) == ("ada", ["admin"])
        app = service_app("t", None)
        attach(app, SliceState(rt=rt))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t") as http:
            def call(token):
                return http.get("/v1/ops/dead-letters",
                                headers={"Authorization": f"Bearer {token}"})
            assert (await call(admin)).status_code == 200
            assert (await call(clerk)).status_code == 403
            refused = await call(weak)
            assert refused.status_code == 401
            assert "multi-factor" in refused.json()["detail"]
            assert 'error="insufficient_user_authentication"' in \
                refused.headers["www-authenticate"]
            forged = re.sub(r"\.[^.]+$", ".AAAA", admin)
            assert (await call(forged)).status_code == 401
        await asyncio.sleep(0)


def test_a_malformed_key_refuses_its_tokens_as_unauthenticated(tmp_path, provider):
    path, keys, _ = provider
    jwks = json.loads(path.read_text())
    broken = {**next(k for k in jwks["keys"] if k["kid"] == "ed"), "x": "!!"}
    path.write_text(json.dumps({"keys": [broken]}))
    verifier = TokenVerifier(FileKeys(path), ISSUER, AUDIENCE, LIFETIMES)
    with pytest.raises(TokenError, match="signing key unusable"):
        verifier.verify(_token(keys["EdDSA"], "EdDSA", "ed"))


def test_a_nested_token_id_is_read_and_required(provider):
    path, keys, kids = provider
    mapping = ClaimMapping(jti="ext.uti", role_values={"R": "admin"})
    verifier = TokenVerifier(FileKeys(path), ISSUER, AUDIENCE, LIFETIMES,
                             algorithms=("RS256",), claims=mapping)
    claims = verifier.verify(_token(keys["RS256"], "RS256", kids["RS256"], ext={"uti": "u1"},
                                    roles=["R"]))
    assert (claims.jti, claims.roles) == ("u1", ["admin"])
    with pytest.raises(TokenError, match="'ext.uti' has the wrong type"):
        verifier.verify(_token(keys["RS256"], "RS256", kids["RS256"], ext={}))
    with pytest.raises(TokenError, match="'roles' has the wrong type"):
        verifier.verify(_token(keys["RS256"], "RS256", kids["RS256"], ext={"uti": "u2"},
                               roles=["R", 7]))


def test_human_roles_need_a_second_factor_by_amr_or_acr(provider):
    """Entra names the methods (amr ["pwd", "mfa"]); Keycloak's step-up names a level (acr)."""
    path, keys, kids = provider
    rules = {"caseworker": MfaRule(), "admin": MfaRule(amr=[], acr=["gold"])}
    verifier = TokenVerifier(FileKeys(path), ISSUER, AUDIENCE, LIFETIMES,
                             algorithms=("RS256",), mfa=rules)

    def token(**claims):
        return _token(keys["RS256"], "RS256", kids["RS256"], **claims)

    assert verifier.verify(token(roles=["caseworker"], amr=["pwd", "mfa"])).amr == ["pwd", "mfa"]
    assert verifier.verify(token(roles=["caseworker"], amr=["hwk"])).roles == ["caseworker"]
    assert verifier.verify(token(roles=["admin"], acr="gold")).acr == "gold"
    assert verifier.verify(token(roles=["auditor"])).roles == ["auditor"]  # no rule
    for claims in ({"roles": ["caseworker"], "amr": ["pwd"]}, {"roles": ["caseworker"]},
                   {"roles": ["auditor", "admin"], "acr": "silver", "amr": ["mfa"]}):
        with pytest.raises(StepUpRequired, match="needs a multi-factor sign-in"):
            verifier.verify(token(**claims))
    with pytest.raises(TokenError, match="'amr' has the wrong type"):
        verifier.verify(token(roles=["caseworker"], amr="mfa"))
