"""The issuer's JWKS fetched from a URL (the file variant is services.common.tokens.JWKSKeys).

Keys are held in memory and re-fetched periodically; an unknown kid also triggers
a (rate-limited) re-fetch, so a rotated key is picked up without a restart.
"""

from __future__ import annotations

import asyncio
import logging
import time

import httpx
from jwt import PyJWK

from services.common.tokens import TokenError

log = logging.getLogger("tessera.reidentify.jwks")

MIN_REFETCH_S = 10.0


def parse_jwks(data: dict) -> dict[str, PyJWK]:
    return {jwk["kid"]: PyJWK(jwk) for jwk in data.get("keys", [])
            if "kid" in jwk and jwk.get("kty") in ("OKP", "EC")}


class UrlJWKSKeys:
    def __init__(self, url: str, timeout_s: float = 5.0):
        self.url = url
        self.timeout_s = timeout_s
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at = 0.0
        self._task: asyncio.Task | None = None

    async def refresh(self) -> None:
        self._fetched_at = time.monotonic()
        async with httpx.AsyncClient(timeout=self.timeout_s) as client:
            response = await client.get(self.url)
            response.raise_for_status()
            self._keys = parse_jwks(response.json())
        log.info("jwks: %d keys", len(self._keys))

    async def _refresh_quietly(self) -> None:
        try:
            await self.refresh()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("jwks fetch failed: %s", type(exc).__name__)

    def get(self, kid: str) -> PyJWK:
        try:
            return self._keys[kid]
        except KeyError:
            pass
        if time.monotonic() - self._fetched_at > MIN_REFETCH_S and (
                self._task is None or self._task.done()):
            self._task = asyncio.get_running_loop().create_task(self._refresh_quietly())
        raise TokenError("unknown signing key")
