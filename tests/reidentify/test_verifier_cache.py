"""The in-memory fast paths stay exact: cached tokens expire, a removed key ends them,
a changed byte misses; revocations take effect at once and survive a racing refresh."""

from __future__ import annotations

import json
import time

import pytest

from services.common.db import build_engine, build_sessionmaker, run_migrations
from services.common.tokens import TokenError, generate_issuer_key, mint
from services.reidentify import repository
from services.reidentify.verifier import CachingVerifier, RevocationCache
from tests.reidentify.conftest import MIGRATIONS

ISSUER, AUDIENCE = "https://issuer.test", "tessera-reidentify"


@pytest.fixture
def issuer(tmp_path):
    kid = generate_issuer_key(tmp_path, "k1")
    return tmp_path, kid, (tmp_path / f"{kid}.pem").read_bytes()


def sign(pem: bytes, kid: str, **kw) -> str:
    return mint(pem, kid, issuer=ISSUER, audience=AUDIENCE, subject="cw", jti=kw.pop(
        "jti", None) or str(time.time_ns()), **kw)


def test_cached_claims_are_returned_until_expiry(issuer):
    directory, kid, pem = issuer
    verifier = CachingVerifier(directory / "jwks.json", ISSUER, AUDIENCE, leeway_s=0)
    token = sign(pem, kid, lifetime_s=1, roles=["caseworker"])
    first = verifier.verify(token)
    assert verifier.verify(token) is first  # from the cache
    head, body, sig = token.split(".")
    with pytest.raises(TokenError):  # any changed byte misses the cache and fails
        verifier.verify(f"{head}.{body}.{'A' if sig[0] != 'A' else 'B'}{sig[1:]}")
    time.sleep(max(0.0, first.raw["exp"] + 0.05 - time.time()))
    with pytest.raises(TokenError, match="expired"):
        verifier.verify(token)


def test_a_key_removed_from_the_jwks_ends_its_cached_tokens(issuer):
    directory, kid, pem = issuer
    verifier = CachingVerifier(directory / "jwks.json", ISSUER, AUDIENCE, recheck_s=0.0)
    token = sign(pem, kid)
    assert verifier.verify(token).sub == "cw"
    generate_issuer_key(directory, "k2")  # rotation adds a key: k1 tokens still good
    assert verifier.verify(token).sub == "cw"
    jwks = json.loads((directory / "jwks.json").read_text())
    jwks["keys"] = [k for k in jwks["keys"] if k["kid"] != kid]
    time.sleep(0.01)  # a distinct mtime
    (directory / "jwks.json").write_text(json.dumps(jwks))
    with pytest.raises(TokenError, match="unknown signing key"):
        verifier.verify(token)


def test_the_jwks_file_is_not_stat_per_request(issuer, monkeypatch):
    directory, kid, pem = issuer
    verifier = CachingVerifier(directory / "jwks.json", ISSUER, AUDIENCE, recheck_s=3600)
    verifier.verify(sign(pem, kid))
    loads = []
    original = verifier.keys._load
    monkeypatch.setattr(verifier.keys, "_load", lambda: loads.append(1) or original())
    for _ in range(5):
        verifier.verify(sign(pem, kid))
    assert loads == []
    with pytest.raises(TokenError):  # an unknown kid re-reads at once
        verifier.verify(mint(pem, "k-new", issuer=ISSUER, audience=AUDIENCE, subject="s"))
    assert loads == [1]


async def test_revocation_cache(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    run_migrations(MIGRATIONS, url)
    engine = build_engine(url)
    sessionmaker = build_sessionmaker(engine)
    try:
        cache = RevocationCache(sessionmaker)
        await cache.refresh()
        assert not await cache.is_revoked("j1")
        cache.add("j1")  # this process: at once, also across a refresh before the commit
        await cache.refresh()
        assert await cache.is_revoked("j1")
        async with sessionmaker() as session, session.begin():  # another replica
            await repository.add_revocation(session, "j2", "lost")
        assert not await cache.is_revoked("j2")
        await cache.refresh()
        assert await cache.is_revoked("j2") and await cache.is_revoked("j1")
    finally:
        await engine.dispose()
