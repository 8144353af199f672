"""Bearer JWTs: verification against the issuer's JWKS, and minting with the dev issuer key.

Only asymmetric algorithms are accepted, those configured among RS256, PS256, ES256 and
EdDSA; ``alg: none`` and HS* tokens signed with a public key are refused because the
algorithm list is fixed and the key is chosen by ``kid`` from the JWKS, never from the
token, and must be of the type the algorithm needs. Claims are read through a
``ClaimMapping``, so the tokens of the council's identity provider (Keycloak realm
roles, Entra app roles or groups, its own claim names) are read as Tessera's.

Every service verifies with the same ``TokenVerifier``: required claims, claim types
(a list where a string belongs is refused, not a crash further on), and a maximum
lifetime per role. Verified tokens are remembered by their exact text until they
expire or the issuer's key set changes, so a caller's next request skips the
signature check.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import httpx
import jwt
from jwt import PyJWK, PyJWKClient
from jwt.exceptions import PyJWKClientError
from pydantic import BaseModel, ConfigDict, ValidationError

log = logging.getLogger("tessera.tokens")

# the algorithms a deployment may accept, and the key each needs (kty, curve)
ALGORITHMS = {"RS256": ("RSA", None), "PS256": ("RSA", None), "ES256": ("EC", "P-256"),
              "EdDSA": ("OKP", "Ed25519")}
Algorithm = Literal["RS256", "PS256", "ES256", "EdDSA"]
DEFAULT_ALGORITHMS: tuple[Algorithm, ...] = ("EdDSA", "ES256")
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat"]


class TokenError(Exception):
    """Why a token was refused (safe to show: it names no person)."""


class StepUpRequired(TokenError):
    """A valid token for a role whose holder must have signed in with a second factor,
    and did not (RFC 9470: the client asks the user to sign in again, more strongly)."""

    def __init__(self, role: str, rule: MfaRule):
        super().__init__(f"the role '{role}' needs a multi-factor sign-in: the token "
                         f"must carry {rule.wants()}")
        self.acr_values = rule.acr


# the claims Tessera reads, each under the name a ClaimMapping gives it
CLAIM_NAMES = ("roles", "districts", "purposes", "org", "partner", "scope", "jti", "amr",
               "acr")
# the roles held by people (partner systems hold none): every one must have signed in
# with a second factor (SATRE 3.2.04: multi-factor authentication for all users)
HUMAN_ROLES = ("caseworker", "coordinator", "analyst", "linkage-officer", "dpo", "auditor",
               "admin")


class MfaRule(BaseModel):
    """What shows that a token's holder signed in with more than a password: any one of
    ``amr`` among the token's authentication methods (RFC 8176: ``mfa``, or a second
    factor such as ``otp`` or ``hwk``), or its ``acr`` one of ``acr`` (the level a
    provider such as Keycloak names for a step-up sign-in)."""

    model_config = ConfigDict(extra="forbid")
    amr: list[str] = ["mfa", "otp", "hwk", "sc"]
    acr: list[str] = []

    def met_by(self, amr: list[str], acr: str | None) -> bool:
        return bool(set(self.amr) & set(amr)) or (acr is not None and acr in self.acr)

    def wants(self) -> str:
        said = [f"amr naming one of {', '.join(self.amr)}"] if self.amr else []
        said += [f"acr one of {', '.join(self.acr)}"] if self.acr else []
        return " or ".join(said) or "nothing a token can show"


class ClaimMapping(BaseModel):
    """Where a token carries what Tessera reads. A name may be a dotted path into nested
    claims (Keycloak's ``realm_access.roles``). With ``role_values``, the provider's
    values (a Keycloak role, an Entra app role or group id) are mapped to Tessera's roles
    and any value not listed is ignored; without it, values are Tessera's role names.
    ``expect`` names claims that must hold exactly these values, such as Keycloak's
    ``{"typ": "Bearer"}``, so an ID token for the same audience is not taken for an
    access token."""

    model_config = ConfigDict(extra="forbid")
    expect: dict[str, str] = {}
    roles: str = "roles"
    role_values: dict[str, str] = {}
    districts: str = "districts"
    purposes: str = "purposes"
    org: str = "org"
    partner: str = "partner"
    scope: str = "scope"
    jti: str = "jti"
    amr: str = "amr"
    acr: str = "acr"

    def read(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The claims under Tessera's names, where the token has them."""
        out: dict[str, Any] = {"sub": payload.get("sub")}
        for name in CLAIM_NAMES:
            value = _at(payload, getattr(self, name))
            if value is not _MISSING:
                out[name] = value
        roles = out.get("roles")
        # mapped only when every value is a string: anything else is refused, mapped or not
        if self.role_values and isinstance(roles, list) and all(isinstance(v, str)
                                                                for v in roles):
            out["roles"] = sorted({self.role_values[v] for v in roles
                                   if v in self.role_values})
        return out


_MISSING = object()


def _at(payload: dict[str, Any], path: str) -> Any:
    value: Any = payload
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


class _ClaimTypes(BaseModel):
    """The types of the claims Tessera reads; anything else in a token is ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")
    sub: str
    jti: str
    roles: list[str] = []
    districts: list[str] = []
    purposes: list[str] = []
    org: str | None = None
    partner: str | None = None
    scope: str | list[str] = []
    amr: list[str] = []
    acr: str | None = None


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
    amr: list[str] = field(default_factory=list)
    acr: str | None = None

    @classmethod
    def from_payload(cls, payload: dict[str, Any],
                     mapping: ClaimMapping | None = None) -> Claims:
        mapping = mapping or ClaimMapping()
        try:
            typed = _ClaimTypes.model_validate(mapping.read(payload))
        except ValidationError as exc:
            loc = next((str(e["loc"][0]) for e in exc.errors() if e.get("loc")), "sub")
            name = loc if loc == "sub" else getattr(mapping, loc, loc)
            raise TokenError(f"token claim '{name}' has the wrong type") from None
        scope = typed.scope.split() if isinstance(typed.scope, str) else typed.scope
        return cls(raw=payload, sub=typed.sub, jti=typed.jti, roles=typed.roles,
                   districts=typed.districts, purposes=typed.purposes, org=typed.org,
                   partner=typed.partner, scope=scope, amr=typed.amr, acr=typed.acr)


@dataclass(frozen=True)
class Lifetimes:
    """The longest a token may live (exp - iat): ``default_s`` for any token, less for
    one holding a role listed in ``by_role`` (the strictest of its roles wins)."""

    default_s: int
    by_role: Mapping[str, int] = field(default_factory=dict)

    def limit(self, roles: list[str]) -> int:
        return min([self.default_s, *(self.by_role[r] for r in roles if r in self.by_role)])


# --- the issuer's keys -------------------------------------------------------------------


def parse_jwks(data: dict) -> dict[str, dict]:
    """The signing keys of a JWKS by kid, as JWK objects. Keys for encryption (``use:
    enc``, which Keycloak publishes beside its signing keys) and of types no accepted
    algorithm uses are left out."""
    kinds = {kty for kty, _ in ALGORITHMS.values()}
    return {jwk["kid"]: jwk for jwk in data.get("keys", [])
            if isinstance(jwk, dict) and isinstance(jwk.get("kid"), str)
            and jwk.get("kty") in kinds and jwk.get("use", "sig") == "sig"}


def key_for(jwk: dict, alg: str) -> PyJWK:
    """The key to check an ``alg`` signature with, if this JWK may make one: its type and
    curve must be the algorithm's, and an ``alg`` it names must be that one (a provider
    may leave it out: Entra ID does)."""
    kty, curve = ALGORITHMS[alg]
    if jwk.get("kty") != kty or (curve and jwk.get("crv") != curve) or \
            jwk.get("alg", alg) != alg:
        raise TokenError("token algorithm does not match its key")
    try:
        return PyJWK(jwk, algorithm=alg)
    except jwt.PyJWTError:  # PyJWKError and InvalidKeyError: malformed key material
        raise TokenError("token signing key unusable") from None


async def discover_jwks_url(issuer: str, timeout_s: float = 5.0) -> str:
    """The ``jwks_uri`` of an OpenID Connect provider, from its discovery document, which
    must name the same issuer (a document that names another is refused). PyJWT has no
    discovery of its own, hence this one request."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    async with httpx.AsyncClient(timeout=timeout_s) as client:
        response = await client.get(url)
        response.raise_for_status()
        document = response.json()
    if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise TokenError("the discovery document names another issuer")
    jwks_uri = document.get("jwks_uri")
    if not isinstance(jwks_uri, str) or not jwks_uri:
        raise TokenError("the discovery document has no jwks_uri")
    return jwks_uri


class KeySource(Protocol):
    """The issuer's public keys by kid; ``keys`` is replaced (not changed) when they change."""

    keys: dict[str, dict]

    def get(self, kid: str) -> dict: ...

    def current(self) -> dict[str, dict]: ...


class FileKeys:
    """A JWKS file, checked for changes at most every ``recheck_s`` and at once for an
    unknown kid, so a key added by the issuer is accepted without a restart
    (``PyJWKClient`` reads only URLs)."""

    def __init__(self, path: Path, recheck_s: float = 1.0):
        self.path = Path(path)
        self.recheck_s = recheck_s
        self.keys: dict[str, dict] = {}
        self._mtime: float | None = None
        self._checked = 0.0

    def _load(self) -> None:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError as exc:
            raise TokenError("token issuer keys are not configured") from exc
        if mtime != self._mtime:
            self.keys, self._mtime = parse_jwks(json.loads(self.path.read_text())), mtime

    def get(self, kid: str) -> dict:
        now = time.monotonic()
        if now - self._checked >= self.recheck_s or kid not in self.keys:
            self._checked = now
            self._load()
        try:
            return self.keys[kid]
        except KeyError:
            raise TokenError("unknown signing key") from None

    def current(self) -> dict[str, dict]:
        if time.monotonic() - self._checked >= self.recheck_s:
            self._checked = time.monotonic()
            self._load()
        return self.keys


class UrlKeys:
    """A JWKS fetched from a URL (an identity provider's jwks_uri): at start-up, every
    ``refresh_s`` (``refresh`` is run as a periodic job), and again, at most every
    ``MIN_REFETCH_S``, when a token names an unknown kid.

    PyJWT's ``PyJWKClient`` fetches it, in a worker thread because its fetch blocks; its
    own cache is left off, since on a miss it fetches again at once, inside the request,
    for every token naming an unknown kid, where this refetches in the background and at
    most every ``MIN_REFETCH_S``."""

    MIN_REFETCH_S = 10.0

    def __init__(self, url: str, timeout_s: float = 5.0):
        self.url = url
        self._client = PyJWKClient(url, cache_keys=False, cache_jwk_set=False,
                                   timeout=timeout_s)
        self.keys: dict[str, dict] = {}
        self._fetched_at = 0.0
        self._task: asyncio.Task | None = None

    async def refresh(self) -> None:
        self._fetched_at = time.monotonic()
        data = await asyncio.to_thread(self._client.fetch_data)
        if not isinstance(data, dict):
            raise ValueError("the JWKS is not a JSON object")
        self.keys = parse_jwks(data)
        log.info("jwks: %d keys", len(self.keys))

    async def _refresh_quietly(self) -> None:
        try:
            await self.refresh()
        except (PyJWKClientError, ValueError) as exc:
            log.warning("jwks fetch failed: %s", type(exc).__name__)

    def get(self, kid: str) -> dict:
        try:
            return self.keys[kid]
        except KeyError:
            pass
        if time.monotonic() - self._fetched_at > self.MIN_REFETCH_S and (
                self._task is None or self._task.done()):
            self._task = asyncio.get_running_loop().create_task(self._refresh_quietly())
        raise TokenError("unknown signing key")

    def current(self) -> dict[str, dict]:
        return self.keys


# --- verification ---------------------------------------------------------------------------


class TokenVerifier:
    def __init__(self, keys: KeySource, issuer: str, audience: str, lifetimes: Lifetimes,
                 leeway_s: int = 5, cache_size: int = 10_000,
                 algorithms: tuple[str, ...] | list[str] = DEFAULT_ALGORITHMS,
                 claims: ClaimMapping | None = None, kid_optional: bool = False,
                 mfa: Mapping[str, MfaRule] | None = None):
        unknown = set(algorithms) - set(ALGORITHMS)
        if unknown or not algorithms:
            raise ValueError(f"token algorithms must be some of {sorted(ALGORITHMS)}")
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.lifetimes = lifetimes
        self.algorithms = tuple(algorithms)
        self.kid_optional = kid_optional
        self.mapping = claims or ClaimMapping()
        self.mfa = dict(mfa or {})
        # PyJWT checks top-level names only; a nested token id is checked once mapped
        self.required = [*REQUIRED_CLAIMS, self.mapping.jti.split(".")[0]]
        self.leeway_s = leeway_s
        self.cache_size = cache_size
        self._cache: dict[str, tuple[Claims, float, str]] = {}
        self._built: dict[tuple[int, str], tuple[dict, PyJWK]] = {}
        self._keyset: object = None

    def verify(self, token: str) -> Claims:
        hit = self._cache.get(token)
        if hit is not None:
            claims, exp, kid = hit
            if time.time() <= exp + self.leeway_s and self._published(kid) \
                    and self.keys.keys is self._keyset:
                return claims
            self._cache.pop(token, None)
        claims, kid = self._verify(token)
        if self.keys.keys is not self._keyset:  # keys re-read: forget what older keys verified
            self._cache.clear()
            self._keyset = self.keys.keys
        if len(self._cache) >= self.cache_size:
            now = time.time()
            self._cache = {t: v for t, v in self._cache.items() if now <= v[1] + self.leeway_s}
            if len(self._cache) >= self.cache_size:
                self._cache.clear()
        self._cache[token] = (claims, float(claims.raw["exp"]), kid)
        return claims

    def _key(self, jwk: dict, alg: str) -> PyJWK:
        """``key_for``, remembered per JWK object (a changed key set brings new ones), as
        building an RSA key costs more than checking a signature with it."""
        held = self._built.get((id(jwk), alg))
        if held is None or held[0] is not jwk:
            if len(self._built) > 64:
                self._built.clear()
            held = self._built[(id(jwk), alg)] = (jwk, key_for(jwk, alg))
        return held[1]

    def _only_key(self, alg: str) -> str | None:
        """A token without ``kid`` (RFC 7515 allows it) is checked with the issuer's only
        key that can make its signature; with two or more, it names none and is refused."""
        kty, curve = ALGORITHMS[alg]
        fitting = [kid for kid, jwk in self.keys.current().items()
                   if jwk.get("kty") == kty and (not curve or jwk.get("crv") == curve)
                   and jwk.get("alg", alg) == alg]
        return fitting[0] if len(fitting) == 1 else None

    def _published(self, kid: str) -> bool:
        """Is the key still published (re-reading the key set when it is due)?"""
        try:
            self.keys.get(kid)
        except TokenError:
            return False
        return True

    def _verify(self, token: str) -> tuple[Claims, str]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenError("malformed token") from None
        alg = header.get("alg")
        if alg not in self.algorithms:
            raise TokenError("token algorithm not accepted")
        kid = header.get("kid")
        if kid is None and self.kid_optional:
            kid = self._only_key(alg)
        if not kid or not isinstance(kid, str):
            raise TokenError("token has no key id")
        key = self._key(self.keys.get(kid), alg)
        try:
            payload = jwt.decode(
                token, key=key, algorithms=[alg], audience=self.audience,
                issuer=self.issuer, leeway=self.leeway_s,
                options={"require": self.required, "verify_nbf": True},
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
        for name, value in self.mapping.expect.items():
            if _at(payload, name) != value:
                raise TokenError(f"token claim '{name}' is not the one expected")
        claims = Claims.from_payload(payload, self.mapping)
        if int(payload["exp"]) - int(payload["iat"]) > self.lifetimes.limit(claims.roles):
            raise TokenError("token lifetime too long")
        if int(payload["iat"]) > time.time() + self.leeway_s:
            raise TokenError("token issued in the future")
        for role in claims.roles:
            rule = self.mfa.get(role)
            if rule is not None and not rule.met_by(claims.amr, claims.acr):
                raise StepUpRequired(role, rule)
        return claims, kid


# --- minting (development issuer) ---------------------------------------------------


# the development issuer stands in for a council's sign-in, which asks people for a
# password and a one-time code
DEV_AMR = ("pwd", "otp")


def mint(private_key_pem: bytes, kid: str, *, issuer: str, audience: str, subject: str,
         lifetime_s: int = 600, amr: tuple[str, ...] | list[str] | None = DEV_AMR,
         **claims: Any) -> str:
    """A token from the development issuer (``amr=None``: one that names no sign-in
    method)."""
    now = int(time.time())
    payload = {
        "iss": issuer, "aud": audience, "sub": subject,
        "iat": now, "nbf": now, "exp": now + lifetime_s, "jti": str(uuid.uuid4()),
        **({"amr": list(amr)} if amr is not None else {}),
        **claims,
    }
    return jwt.encode(payload, private_key_pem, algorithm="EdDSA", headers={"kid": kid})


def generate_issuer_key(directory: Path, kid: str | None = None,
                        passphrase: bytes | None = None) -> str:
    """Write an Ed25519 key pair (the private half encrypted with `passphrase` when one
    is given) and a JWKS holding its public half; returns the kid.

    A second call adds a key to the JWKS (rotation) and makes it the current one.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from services.common.signing import private_pem

    directory.mkdir(parents=True, exist_ok=True)
    kid = kid or f"dev-{uuid.uuid4().hex[:12]}"
    private = Ed25519PrivateKey.generate()
    pem = private_pem(private, passphrase)
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


def current_signing_key(directory: Path, passphrase_file: Path | None = None
                        ) -> tuple[str, bytes]:
    """The current kid and its private key as PEM, decrypted in memory when the file is
    encrypted (with the passphrase in `passphrase_file`)."""
    from services.common.signing import is_encrypted_pem, load_private_key, private_pem

    kid = (directory / "current").read_text().strip()
    path = directory / f"{kid}.pem"
    pem = path.read_bytes()
    if is_encrypted_pem(pem):
        pem = private_pem(load_private_key(path, passphrase_file, what="issuer key"))
    return kid, pem
