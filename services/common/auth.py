"""Who is calling: one function every service and every path uses to authenticate.

``Gatekeeper.authenticate`` takes the Authorization header and returns the verified
claims, or raises ``AuthFailure`` with a reason (``unauthenticated`` or ``revoked``).
The FastAPI dependencies below, reidentify's fast unlock path and its audited doors all
call it, so a token is judged the same way wherever it is presented.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.common.problems import Problem
from services.common.tokens import Claims, TokenError, TokenVerifier

bearer = HTTPBearer(auto_error=False, description="An EdDSA or ES256 JWT from the issuer")

CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class AuthFailure(Exception):  # noqa: N818 - a verdict, not an error in the code
    """``claims`` is set when the token verified but is revoked (the audit log names its
    holder); never for a token whose signature does not hold."""

    def __init__(self, reason: Literal["unauthenticated", "revoked"], detail: str,
                 claims: Claims | None = None):
        super().__init__(detail)
        self.reason, self.detail, self.claims = reason, detail, claims

    def problem(self) -> Problem:
        return Problem(401, "Unauthorized", self.detail, headers=CHALLENGE)


class Gatekeeper:
    def __init__(self, verifier: TokenVerifier, is_revoked: Callable[[str], bool]):
        self.verifier = verifier
        self.is_revoked = is_revoked

    def authenticate(self, authorization: str | None) -> Claims:
        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthFailure("unauthenticated", "a bearer token is required")
        try:
            claims = self.verifier.verify(token)
        except TokenError as exc:
            raise AuthFailure("unauthenticated", str(exc)) from None
        if self.is_revoked(claims.jti):
            raise AuthFailure("revoked", "token revoked", claims)
        return claims


async def verified_claims(
    request: Request, _: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Claims:
    """The caller's claims (the `bearer` dependency documents the scheme in OpenAPI)."""
    known = getattr(request.state, "authenticated", None)  # earlier in this request
    if known is None:
        try:
            known = request.app.state.gatekeeper.authenticate(
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
