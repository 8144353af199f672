"""Who may record and read consent decisions, for whom, and from when.

| role        | for whom                          | scopes                                      |
|-------------|-----------------------------------|---------------------------------------------|
| caseworker  | people in the token's districts   | `all`, `purpose:<one of the token's>`       |
| coordinator | anyone the pseudonymiser holds    | `all`, `purpose:<any>`                      |
| dpo         | anyone the pseudonymiser holds    | any, `partner:<id>` too                     |

A person's district is asked of the pseudonymiser (``tessera.pseudonymiser.area``), which
alone knows where people live; consent keeps none of it. For a caseworker, "not in your
districts" and "no such person" are one refusal, so a caseworker cannot probe who exists.
A decision dated after today (in England) is refused: a decision takes effect when it is
made, and one recorded later wins a tie on the date (``service.create_decisions``).
"""

from __future__ import annotations

import logging

import nats.errors
from pydantic import ValidationError

from services.common import messages as m
from services.common import subjects
from services.common.clock import today  # noqa: F401 - the API's, with the rules
from services.common.problems import Problem
from services.common.tokens import Claims
from services.common.trust import Untrusted

log = logging.getLogger("tessera.consent.authority")

RECORDERS = ("caseworker", "coordinator", "dpo")


def broad(claims: Claims) -> bool:
    """A coordinator or DPO decides for anyone; a caseworker only within districts."""
    return bool({"coordinator", "dpo"} & set(claims.roles))


def scope_allowed(claims: Claims, scope: str) -> bool:
    if "dpo" in claims.roles:
        return True
    if scope == "all":
        return True
    kind, _, name = scope.partition(":")
    if kind != "purpose":
        return False  # partner scopes: the partner's own list, or a DPO
    return "coordinator" in claims.roles or name in claims.purposes


class People:
    """Where a person lives, asked of the pseudonymiser."""

    def __init__(self, rt, timeout_s: float = 2.0):
        self.rt = rt
        self.timeout_s = timeout_s

    async def find(self, pseudonym: str) -> m.AreaReply:
        try:
            return await self.rt.bus.request(subjects.AREA, m.AreaQuery(pseudonym=pseudonym),
                                             timeout=self.timeout_s)
        except (nats.errors.Error, TimeoutError, Untrusted, ValidationError) as exc:
            log.warning("area of a person not known (%s)", type(exc).__name__)
            raise Problem(503, "Service Unavailable", "the identity service did not answer; "
                          "nothing was recorded") from None


async def person_for(claims: Claims, pseudonym: str, people: People) -> m.AreaReply:
    """The person, when the caller may decide or read for them; else a problem."""
    person = await people.find(pseudonym)
    if broad(claims):
        if not person.found:
            raise Problem(404, "Not found", "no such person")
        return person
    if not person.found or person.area is None or person.area not in claims.districts:
        raise Problem(403, "Forbidden", "the person is not among those your clearance "
                      "covers", reason="district")
    return person
