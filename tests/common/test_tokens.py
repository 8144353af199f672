"""Token verification, as every service does it: cached tokens stay exact, claim types are
checked, and each role has a longest lifetime."""

from __future__ import annotations

import asyncio
import functools
import http.server
import json
import socket
import threading
import time

import pytest
from jwt.exceptions import PyJWKClientError

from services.common.tokens import (
    Claims,
    FileKeys,
    Lifetimes,
    TokenError,
    TokenVerifier,
    UrlKeys,
    generate_issuer_key,
    mint,
)

ISSUER, AUDIENCE = "https://issuer.test", "tessera-reidentify"
LIFETIMES = Lifetimes(3600, {"caseworker": 900, "admin": 600})


@pytest.fixture
def issuer(tmp_path):
    kid = generate_issuer_key(tmp_path, "k1")
    return tmp_path, kid, (tmp_path / f"{kid}.pem").read_bytes()


def verifier_for(directory, recheck_s: float = 1.0, **kw) -> TokenVerifier:
    return TokenVerifier(FileKeys(directory / "jwks.json", recheck_s), ISSUER, AUDIENCE,
                         kw.pop("lifetimes", LIFETIMES), **kw)


def sign(pem: bytes, kid: str, **kw) -> str:
    return mint(pem, kid, issuer=ISSUER, audience=AUDIENCE, subject=kw.pop("subject", "cw"),
                jti=kw.pop("jti", None) or str(time.time_ns()), **kw)


def test_cached_claims_are_returned_until_expiry(issuer):
    directory, kid, pem = issuer
    verifier = verifier_for(directory, leeway_s=0)
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
    verifier = verifier_for(directory, recheck_s=0.0)
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
    verifier = verifier_for(directory, recheck_s=3600)
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


@pytest.mark.parametrize(("claim", "value"), [
    ("partner", ["gp-1", "gp-2"]), ("org", {"name": "x"}), ("roles", "caseworker"),
    ("roles", [1, 2]), ("districts", "OL1"), ("purposes", [None]), ("scope", 5),
])
def test_a_claim_of_the_wrong_type_is_refused(issuer, claim, value):
    directory, kid, pem = issuer
    token = sign(pem, kid, **{claim: value})
    with pytest.raises(TokenError, match=f"claim '{claim}' has the wrong type"):
        verifier_for(directory).verify(token)


def test_claims_of_the_right_types_are_read(issuer):
    directory, kid, pem = issuer
    claims = verifier_for(directory).verify(sign(
        pem, kid, roles=["analyst"], districts=["OL1"], purposes=["p"], org="o",
        partner="gp", scope="ingest case-lookup"))
    assert isinstance(claims, Claims)
    assert (claims.roles, claims.districts, claims.purposes, claims.org, claims.partner,
            claims.scope) == (["analyst"], ["OL1"], ["p"], "o", "gp", ["ingest", "case-lookup"])


@pytest.mark.parametrize(("roles", "lifetime_s", "accepted"), [
    ([], 3600, True), ([], 3601, False),                    # the default for any token
    (["analyst"], 3600, True),                              # a role with no cap of its own
    (["caseworker"], 900, True), (["caseworker"], 901, False),
    (["caseworker", "admin"], 900, False), (["caseworker", "admin"], 600, True),  # strictest
    (["admin"], 10 * 365 * 24 * 3600, False),               # ten years
])
def test_each_role_has_a_longest_lifetime(issuer, roles, lifetime_s, accepted):
    directory, kid, pem = issuer
    token = sign(pem, kid, roles=roles, lifetime_s=lifetime_s)
    if accepted:
        assert verifier_for(directory).verify(token).roles == roles
    else:
        with pytest.raises(TokenError, match="lifetime too long"):
            verifier_for(directory).verify(token)


@pytest.fixture
def jwks_server(tmp_path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=tmp_path)
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()


async def test_jwks_by_url_with_rotation(jwks_server, monkeypatch):
    directory, url = jwks_server
    kid1, kid2 = generate_issuer_key(directory, "k1"), generate_issuer_key(directory, "k2")
    jwks = json.loads((directory / "jwks.json").read_text())
    (directory / "jwks.json").write_text(json.dumps({"keys": jwks["keys"][:1]}))
    keys = UrlKeys(url)
    await keys.refresh()
    verifier = TokenVerifier(keys, ISSUER, AUDIENCE, LIFETIMES)
    pem = {k: (directory / f"{k}.pem").read_bytes() for k in (kid1, kid2)}
    assert verifier.verify(sign(pem[kid1], kid1)).sub == "cw"

    (directory / "jwks.json").write_text(json.dumps(jwks))
    monkeypatch.setattr(UrlKeys, "MIN_REFETCH_S", 0.0)
    with pytest.raises(TokenError):  # unknown now; the miss triggers a re-fetch
        verifier.verify(sign(pem[kid2], kid2))
    await keys._task
    assert verifier.verify(sign(pem[kid2], kid2)).sub == "cw"
    await asyncio.sleep(0)


async def test_a_jwks_url_that_does_not_answer_fails_the_fetch():
    """No keys from a provider that does not answer: start-up stops, a later refresh
    keeps the keys it had."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once closed
    keys = UrlKeys(f"http://127.0.0.1:{port}/jwks.json", timeout_s=2.0)
    with pytest.raises(PyJWKClientError):
        await keys.refresh()
    keys.keys = {"kept": {"kid": "kept"}}
    await keys._refresh_quietly()
    assert keys.keys == {"kept": {"kid": "kept"}}
