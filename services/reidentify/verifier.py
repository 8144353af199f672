"""Fast paths for the per-request checks: verified tokens and revocations held in memory.

``CachingVerifier`` remembers the claims of a token whose signature and claims verified,
keyed by the whole token string (any changed byte misses), until the token expires or
the issuer's key set changes. The JWKS file is re-read at most every ``recheck_s`` (and
at once for an unknown kid), instead of a ``stat`` per request.

``RevocationCache`` keeps the revoked jtis in memory: a revocation through this process
takes effect at once; one made through another replica within ``refresh_s``.
"""

from __future__ import annotations

import time
from pathlib import Path

import jwt
from jwt import PyJWK
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.tokens import Claims, JWKSKeys, TokenError, TokenVerifier
from services.reidentify import repository


class ThrottledJWKSKeys(JWKSKeys):
    """The file JWKS, checked for changes at most every ``recheck_s``; an unknown kid is
    looked up in a fresh read at once (a rotated key is accepted without delay)."""

    def __init__(self, path: Path, recheck_s: float = 1.0):
        super().__init__(path)
        self.recheck_s = recheck_s
        self._checked = 0.0

    def get(self, kid: str) -> PyJWK:
        now = time.monotonic()
        if now - self._checked >= self.recheck_s or kid not in self._keys:
            self._checked = now
            self._load()
        try:
            return self._keys[kid]
        except KeyError:
            raise TokenError("unknown signing key") from None


class CachingVerifier(TokenVerifier):
    def __init__(self, *args, cache_size: int = 10_000, recheck_s: float = 1.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = ThrottledJWKSKeys(self.keys.path, recheck_s)
        self.cache_size = cache_size
        self._cache: dict[str, tuple[Claims, float, str]] = {}
        self._keyset: object = None

    def _current_key(self, kid: str) -> bool:
        """Is the key still published (re-reading the key set when it is due)?"""
        try:
            self.keys.get(kid)
        except TokenError:
            return False
        return True

    def verify(self, token: str) -> Claims:
        hit = self._cache.get(token)
        if hit is not None:
            claims, exp, kid = hit
            if time.time() <= exp + self.leeway_s and self._current_key(kid):
                if self.keys._keys is self._keyset:
                    return claims
            self._cache.pop(token, None)
        claims = super().verify(token)
        keyset = self.keys._keys
        if keyset is not self._keyset:  # keys re-read: forget what older keys verified
            self._cache.clear()
            self._keyset = keyset
        if len(self._cache) >= self.cache_size:
            now = time.time()
            self._cache = {t: v for t, v in self._cache.items() if now <= v[1] + self.leeway_s}
            if len(self._cache) >= self.cache_size:
                self._cache.clear()
        self._cache[token] = (claims, float(claims.raw["exp"]), _kid(token))
        return claims


def _kid(token: str) -> str:
    return str(jwt.get_unverified_header(token).get("kid", ""))


class RevocationCache:
    KEEP_LOCAL_S = 30.0

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]):
        self.sessionmaker = sessionmaker
        self._revoked: frozenset[str] = frozenset()
        self._local: dict[str, float] = {}  # added here, kept across a racing refresh

    async def refresh(self) -> None:
        async with self.sessionmaker() as session:
            stored = await repository.revoked_jtis(session)
        now = time.monotonic()
        self._local = {j: t for j, t in self._local.items() if now - t < self.KEEP_LOCAL_S}
        self._revoked = frozenset(stored) | frozenset(self._local)

    def add(self, jti: str) -> None:
        self._local[jti] = time.monotonic()
        self._revoked = self._revoked | {jti}

    async def is_revoked(self, jti: str) -> bool:
        return jti in self._revoked
