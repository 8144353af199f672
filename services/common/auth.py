"""Who is calling: one function every service and every path uses to authenticate.

``Gatekeeper.authenticate`` takes the Authorization header and returns the verified
claims, or raises ``AuthFailure`` with a reason (``unauthenticated`` or ``revoked``).
The FastAPI dependencies below, reidentify's fast unlock path and its audited doors all
call it, so a token is judged the same way wherever it is presented.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.common.gatekeeper import AuthFailure
from services.common.problems import Problem
from services.common.state import state_of
from services.common.tokens import Claims

bearer = HTTPBearer(auto_error=False, description="An EdDSA or ES256 JWT from the issuer")


async def verified_claims(
    request: Request, _: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Claims:
    """The caller's claims (the `bearer` dependency documents the scheme in OpenAPI)."""
    known = getattr(request.state, "authenticated", None)  # earlier in this request
    if known is None:
        try:
            known = state_of(request.app).gatekeeper.authenticate(
                request.headers.get("authorization"))
        except AuthFailure as failure:
            known = failure
        request.state.authenticated = known
    if isinstance(known, AuthFailure):
        raise known.problem()
    return known


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
