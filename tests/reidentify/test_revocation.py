"""Revoked jti refused; a key added to the JWKS at runtime accepted."""

from __future__ import annotations

import json
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.common.tokens import mint
from tests.reidentify.conftest import PURPOSE, flag
from tests.reidentify.test_unlock import FAMILY, GIVEN, assert_no_identity, body, found
from tests.support import ISSUER

AUDIENCE = "tessera-reidentify"
CLAIMS = {"roles": ["caseworker"], "districts": ["OL1"], "purposes": [PURPOSE],
          "org": "test-org"}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def new_key(kid: str) -> tuple[bytes, dict]:
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(private.public_key()))
    return pem, {**jwk, "kid": kid, "alg": "EdDSA", "use": "sig"}


async def test_revoked_jti_is_refused_everywhere(env):
    await env.publish_flags(flag("p-revoked"))
    env.replies["p-revoked"] = found((GIVEN, FAMILY))
    token = env.nats_env.token("reidentify", subject="cw-revoked", **CLAIMS)
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]
    r = await env.client.get("/v1/cohorts/oldham-5", headers=bearer(token))
    assert r.status_code == 200

    admin = env.clearance("admin-1", roles=["admin"])
    r = await env.client.post("/v1/revocations", json={"jti": jti, "reason": "lost device"},
                              headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["jti"] == jti and r.json()["reason"] == "lost device"
    r = await env.client.post("/v1/revocations", json={"jti": jti, "reason": "again"},
                              headers=admin)
    assert (r.status_code, r.json()["reason"]) == (200, "lost device")

    for method, path in (("GET", "/v1/cohorts/oldham-5"), ("POST", "/v1/unlock")):
        r = await env.client.request(method, path, headers=bearer(token),
                                     json=body("p-revoked") if method == "POST" else None)
        assert r.status_code == 401, r.text
        assert r.json()["detail"] == "token revoked"
        assert_no_identity(r.text)
    # another token of the same person is not affected
    r = await env.client.post("/v1/unlock", json=body("p-revoked"),
                              headers=env.clearance("cw-revoked"))
    assert r.status_code == 200


@pytest.mark.parametrize("roles", [["caseworker"], ["auditor"]])
async def test_revocation_needs_admin(env, roles):
    r = await env.client.post("/v1/revocations", json={"jti": "x", "reason": "r"},
                              headers=env.clearance("not-admin", roles=roles))
    assert r.status_code == 403
    r = await env.client.post("/v1/revocations", json={"jti": "x", "reason": "r", "z": 1},
                              headers=env.clearance("admin-2", roles=["admin"]))
    assert r.status_code == 422


async def test_key_added_to_jwks_at_runtime_is_accepted(env):
    kid = f"rotated-{uuid.uuid4().hex[:8]}"
    pem, jwk = new_key(kid)
    token = mint(pem, kid, issuer=ISSUER, audience=AUDIENCE, subject="cw-rot", **CLAIMS)
    r = await env.client.get("/v1/cohorts/oldham-5", headers=bearer(token))
    assert (r.status_code, r.json()["detail"]) == (401, "unknown signing key")

    jwks_path = env.nats_env.layout.jwks
    jwks = json.loads(jwks_path.read_text())
    jwks["keys"].append(jwk)
    jwks_path.write_text(json.dumps(jwks))  # no restart
    r = await env.client.get("/v1/cohorts/oldham-5", headers=bearer(token))
    assert r.status_code == 200, r.text
    # the old key still works alongside
    r = await env.client.get("/v1/cohorts/oldham-5", headers=env.clearance("cw-old"))
    assert r.status_code == 200
