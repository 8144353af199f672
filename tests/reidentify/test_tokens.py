"""Every malformed, forged or out-of-date clearance token is refused with 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from services.common.tokens import current_signing_key, mint
from tests.reidentify.conftest import PURPOSE
from tests.support import ISSUER

AUDIENCE = "tessera-reidentify"
CLAIMS = {"roles": ["caseworker", "coordinator", "auditor"], "districts": ["OL1"],
          "purposes": [PURPOSE], "org": "test-org"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def payload(**over) -> dict:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": AUDIENCE, "sub": "attacker", "iat": now, "nbf": now,
            "exp": now + 300, "jti": uuid.uuid4().hex, **CLAIMS}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def unsigned(header: dict, body: dict) -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(body).encode())}"


def public_key_bytes(private_pem: bytes, raw: bool) -> bytes:
    """The issuer's public key as PEM (the classic algorithm-confusion secret) or raw."""
    key = serialization.load_pem_private_key(private_pem, password=None).public_key()
    if raw:
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def forge(env, case: str) -> str:
    kid, pem = current_signing_key(env.nats_env.layout.issuer)
    sign = lambda **kw: mint(pem, kid, issuer=kw.pop("issuer", ISSUER),  # noqa: E731
                             audience=kw.pop("audience", AUDIENCE), subject="attacker",
                             **{**CLAIMS, **kw})
    if case == "alg-none":
        return unsigned({"alg": "none", "typ": "JWT", "kid": kid}, payload()) + "."
    if case in ("hs256-public-key", "hs256-raw-public-key"):
        signing_input = unsigned({"alg": "HS256", "typ": "JWT", "kid": kid}, payload())
        secret = public_key_bytes(pem, raw=case == "hs256-raw-public-key")
        sig = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{b64(sig)}"
    if case == "expired":
        return sign(lifetime_s=-120)
    if case == "not-yet-valid":
        return sign(nbf=int(time.time()) + 3600)
    if case == "wrong-audience":
        return sign(audience="tessera-scorer")
    if case == "wrong-issuer":
        return sign(issuer="https://evil.example")
    if case == "missing-jti":
        return jwt.encode(payload(jti=None), pem, algorithm="EdDSA", headers={"kid": kid})
    if case == "unknown-kid":
        return jwt.encode(payload(), pem, algorithm="EdDSA", headers={"kid": "nope"})
    if case == "no-kid":
        return jwt.encode(payload(), pem, algorithm="EdDSA")
    if case == "bad-signature":
        token = sign()
        head, body, sig = token.split(".")
        flipped = "A" if sig[0] != "A" else "B"
        return f"{head}.{body}.{flipped}{sig[1:]}"
    if case == "tampered-claims":
        token = sign()
        head, _, sig = token.split(".")
        return f"{head}.{b64(json.dumps(payload(districts=['OL1', 'OL9'])).encode())}.{sig}"
    if case == "too-long-lived":
        return sign(lifetime_s=3600)
    if case == "garbage":
        return "not-a-token"
    raise AssertionError(case)


CASES = ["alg-none", "hs256-public-key", "hs256-raw-public-key", "expired", "not-yet-valid", "wrong-audience",
         "wrong-issuer", "missing-jti", "unknown-kid", "no-kid", "bad-signature",
         "tampered-claims", "too-long-lived", "garbage"]


async def test_valid_token_is_accepted(env):
    kid, pem = current_signing_key(env.nats_env.layout.issuer)
    token = mint(pem, kid, issuer=ISSUER, audience=AUDIENCE, subject="ok", **CLAIMS)
    r = await env.client.get("/v1/cohorts/any", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("method,path", [
    ("GET", "/v1/cohorts/oldham-5"),
    ("POST", "/v1/unlock"),
    ("GET", "/v1/access-log"),
    ("GET", "/v1/access-log/verify"),
])
async def test_bad_tokens_are_401(env, case, method, path):
    token = forge(env, case)
    json_body = {"pseudonym": "p1", "purpose": PURPOSE,
                 "justification": "a justification long enough"} if method == "POST" else None
    r = await env.client.request(method, path, json=json_body,
                                 headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401, (case, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "WWW-Authenticate" in r.headers
