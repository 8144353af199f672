"""FastAPI dependencies for bearer tokens: verify, then check roles or scope."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.common.problems import Problem
from services.common.tokens import Claims, TokenError

bearer = HTTPBearer(auto_error=False, description="An EdDSA or ES256 JWT from the issuer")

CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


async def verified_claims(
    request: Request, creds: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Claims:
    if creds is None or creds.scheme.lower() != "bearer":
        raise Problem(401, "Unauthorized", "a bearer token is required", headers=CHALLENGE)
    try:
        claims = request.app.state.verifier.verify(creds.credentials)
    except TokenError as exc:
        raise Problem(401, "Unauthorized", str(exc), headers=CHALLENGE) from None
    revoked = getattr(request.app.state, "is_revoked", None)
    if revoked is not None and await revoked(claims.jti):
        raise Problem(401, "Unauthorized", "token revoked", headers=CHALLENGE)
    return claims


def require_roles(*roles: str) -> Callable:
    async def dependency(claims: Claims = Depends(verified_claims)) -> Claims:
        if roles and not set(roles) & set(claims.roles):
            raise Problem(403, "Forbidden", f"requires one of the roles: {', '.join(roles)}")
        return claims

    return dependency


def require_scope(scope: str) -> Callable:
    async def dependency(claims: Claims = Depends(verified_claims)) -> Claims:
        if scope not in claims.scope:
            raise Problem(403, "Forbidden", f"token scope lacks '{scope}'")
        return claims

    return dependency
