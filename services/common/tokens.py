"""Bearer JWTs: verification against the issuer's JWKS, and minting with the dev issuer key.

Only asymmetric algorithms are accepted (EdDSA, ES256); ``alg: none`` and HS256
tokens signed with a public key are refused because the algorithm list is
fixed and the key is chosen by ``kid`` from the JWKS, never from the token.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from jwt import PyJWK

ALGORITHMS = ["EdDSA", "ES256"]
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "jti"]


class TokenError(Exception):
    """Why a token was refused (safe to show: it names no person)."""


@dataclass
class Claims:
    raw: dict[str, Any]
    sub: str = ""
    jti: str = ""
    roles: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    purposes: list[str] = field(default_factory=list)
    org: str | None = None
    partner: str | None = None
    scope: list[str] = field(default_factory=list)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Claims:
        scope = payload.get("scope", [])
        if isinstance(scope, str):
            scope = scope.split()
        return cls(
            raw=payload,
            sub=str(payload.get("sub", "")),
            jti=str(payload.get("jti", "")),
            roles=list(payload.get("roles", []) or []),
            districts=list(payload.get("districts", []) or []),
            purposes=list(payload.get("purposes", []) or []),
            org=payload.get("org"),
            partner=payload.get("partner"),
            scope=list(scope),
        )


class JWKSKeys:
    """Public keys by kid, re-read when the JWKS file changes (rotation without restart)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._mtime: float | None = None
        self._keys: dict[str, PyJWK] = {}

    def _load(self) -> None:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError as exc:
            raise TokenError("token issuer keys are not configured") from exc
        if mtime == self._mtime:
            return
        data = json.loads(self.path.read_text())
        keys = {}
        for jwk in data.get("keys", []):
            if "kid" in jwk and jwk.get("kty") in ("OKP", "EC"):
                keys[jwk["kid"]] = PyJWK(jwk)
        self._keys, self._mtime = keys, mtime

    def get(self, kid: str) -> PyJWK:
        self._load()
        try:
            return self._keys[kid]
        except KeyError:
            raise TokenError("unknown signing key") from None


class TokenVerifier:
    def __init__(self, jwks_path: Path, issuer: str, audience: str,
                 max_lifetime_s: int | None = None, leeway_s: int = 5):
        self.keys = JWKSKeys(jwks_path)
        self.issuer = issuer
        self.audience = audience
        self.max_lifetime_s = max_lifetime_s
        self.leeway_s = leeway_s

    def verify(self, token: str) -> Claims:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenError("malformed token") from None
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise TokenError("token algorithm not accepted")
        kid = header.get("kid")
        if not kid:
            raise TokenError("token has no key id")
        key = self.keys.get(kid)
        if key.algorithm_name != alg:
            raise TokenError("token algorithm does not match its key")
        try:
            payload = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": REQUIRED_CLAIMS, "verify_nbf": True},
            )
        except jwt.ExpiredSignatureError:
            raise TokenError("token expired") from None
        except jwt.ImmatureSignatureError:
            raise TokenError("token not yet valid") from None
        except jwt.InvalidAudienceError:
            raise TokenError("token audience not accepted") from None
        except jwt.InvalidIssuerError:
            raise TokenError("token issuer not accepted") from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenError(f"token lacks the {exc.claim} claim") from None
        except jwt.InvalidSignatureError:
            raise TokenError("token signature invalid") from None
        except jwt.PyJWTError:
            raise TokenError("token invalid") from None
        if self.max_lifetime_s is not None:
            if int(payload["exp"]) - int(payload["iat"]) > self.max_lifetime_s:
                raise TokenError("token lifetime too long")
        if int(payload["iat"]) > time.time() + self.leeway_s:
            raise TokenError("token issued in the future")
        return Claims.from_payload(payload)


# --- minting (development issuer) ---------------------------------------------------


def mint(private_key_pem: bytes, kid: str, *, issuer: str, audience: str, subject: str,
         lifetime_s: int = 600, **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": issuer, "aud": audience, "sub": subject,
        "iat": now, "nbf": now, "exp": now + lifetime_s, "jti": str(uuid.uuid4()),
        **claims,
    }
    return jwt.encode(payload, private_key_pem, algorithm="EdDSA", headers={"kid": kid})


def generate_issuer_key(directory: Path, kid: str | None = None) -> str:
    """Write an Ed25519 key pair and a JWKS holding its public half; returns the kid.

    A second call adds a key to the JWKS (rotation) and makes it the current one.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    directory.mkdir(parents=True, exist_ok=True)
    kid = kid or f"dev-{uuid.uuid4().hex[:12]}"
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key_path = directory / f"{kid}.pem"
    key_path.write_bytes(pem)
    key_path.chmod(0o600)
    jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": kid, "alg": "EdDSA", "use": "sig"})
    jwks_path = directory / "jwks.json"
    jwks = json.loads(jwks_path.read_text()) if jwks_path.exists() else {"keys": []}
    jwks["keys"] = [k for k in jwks["keys"] if k.get("kid") != kid] + [jwk]
    jwks_path.write_text(json.dumps(jwks, indent=2))
    (directory / "current").write_text(kid)
    return kid


def current_signing_key(directory: Path) -> tuple[str, bytes]:
    kid = (directory / "current").read_text().strip()
    return kid, (directory / f"{kid}.pem").read_bytes()
