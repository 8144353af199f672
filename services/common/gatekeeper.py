"""The one judgement of a bearer token: ``Gatekeeper.authenticate`` returns the verified
claims or raises ``AuthFailure`` with a reason (see ``services.common.auth``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from services.common.problems import Problem
from services.common.tokens import Claims, StepUpRequired, TokenError, TokenVerifier

CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


def step_up_challenge(acr_values: list[str]) -> dict[str, str]:
    """RFC 9470's answer to a token whose sign-in was too weak for its role."""
    acr = f', acr_values="{" ".join(acr_values)}"' if acr_values else ""
    return {"WWW-Authenticate": f'Bearer error="insufficient_user_authentication"{acr}'}


class AuthFailure(Exception):  # noqa: N818 - a verdict, not an error in the code
    """``claims`` is set when the token verified but is revoked (the audit log names its
    holder); never for a token whose signature does not hold."""

    def __init__(self, reason: Literal["unauthenticated", "revoked"], detail: str,
                 claims: Claims | None = None, challenge: dict[str, str] | None = None):
        super().__init__(detail)
        self.reason, self.detail, self.claims = reason, detail, claims
        self.challenge = challenge or CHALLENGE

    def problem(self) -> Problem:
        return Problem(401, "Unauthorized", self.detail, headers=self.challenge)


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
        except StepUpRequired as exc:
            raise AuthFailure("unauthenticated", str(exc),
                              challenge=step_up_challenge(exc.acr_values)) from None
        except TokenError as exc:
            raise AuthFailure("unauthenticated", str(exc)) from None
        if self.is_revoked(claims.jti):
            raise AuthFailure("revoked", "token revoked", claims)
        return claims
