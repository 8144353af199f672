"""The family's journey as a co-ordinator manages it: states, who may change them, and
the co-ordinator's and the keyworker's views.

A family moves identified -> attached (to a keyworker) -> in progress -> claim pending
-> claimed, and may be closed from any state; a keyworker may be changed while attached
or in progress, and a claimed family may go on to further outcomes. Each change records
who made it and when. Only the keyworker a family is attached to sees its codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.tokens import Claims
from services.scorer import measures
from services.scorer import repository as repo
from services.scorer.cohorts import as_events
from services.scorer.models import CohortMember, OutcomeMet
from services.scorer.rules import StoredRule

STATES = ("identified", "attached", "in_progress", "claim_pending", "claimed", "closed")
NEXT = {
    "identified": {"attached", "closed"},
    "attached": {"attached", "in_progress", "closed"},
    "in_progress": {"attached", "claim_pending", "closed"},
    "claim_pending": {"in_progress", "claimed", "closed"},
    "claimed": {"in_progress", "closed"},
    "closed": set(),
}
# who owns each move: the co-ordinator always; the family's keyworker the working states
KEYWORKER_MOVES = {"in_progress", "claim_pending"}
COORDINATOR = "coordinator"
KEYWORKER = "caseworker"  # a keyworker signs in as a caseworker


class Refused(Exception):
    """A move or view refused, with the HTTP status and a detail naming no person."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status = status
        self.detail = detail


NOT_YOURS = "no family under this pseudonym is allocated to you"


def in_districts(claims: Claims, member: CohortMember) -> bool:
    """A token that names districts reaches only families in them."""
    return not claims.districts or member.area in claims.districts


def is_keyworker(claims: Claims, member: CohortMember) -> bool:
    return (KEYWORKER in claims.roles and member.keyworker is not None
            and claims.sub == member.keyworker and member.state != "closed"
            and in_districts(claims, member))


def can_see(claims: Claims, member: CohortMember | None) -> bool:
    """The co-ordinator (of the family's district) or its keyworker."""
    return member is not None and (
        (COORDINATOR in claims.roles and in_districts(claims, member))
        or is_keyworker(claims, member))


async def family(session: AsyncSession, claims: Claims, rule_id: str,
                 pseudonym: str) -> CohortMember:
    member = await repo.member(session, rule_id, pseudonym)
    if not can_see(claims, member):
        # the same answer whether the family is unknown or another's: a refusal never
        # says whether a pseudonym is in a cohort
        raise Refused(404, NOT_YOURS)
    return member


async def move(session: AsyncSession, claims: Claims, rule_id: str, pseudonym: str,
               state: str, keyworker: str | None) -> CohortMember:
    """Change a family's state, as its owner; recorded with who and when."""
    member = await family(session, claims, rule_id, pseudonym)
    coordinator = COORDINATOR in claims.roles and in_districts(claims, member)
    if not coordinator and not (state in KEYWORKER_MOVES and is_keyworker(claims, member)):
        raise Refused(403, f"moving a family to '{state}' is the co-ordinator's")
    if state not in NEXT[member.state]:
        raise Refused(409, f"a family that is '{member.state}' cannot move to '{state}'")
    if (state == "attached") != (keyworker is not None):
        raise Refused(422, "field 'keyworker': name one when, and only when, attaching")
    met = (await repo.met_of(session, [(rule_id, pseudonym)])).get((rule_id, pseudonym), [])
    unclaimed = [x for x in met if x.claimed_at is None]
    if state in ("claim_pending", "claimed") and not unclaimed:
        raise Refused(409, "the family has met no outcome measure that is not yet claimed")
    now = utcnow()
    if state == "claimed":
        await repo.claim(session, rule_id, pseudonym, now)
    if state == "attached":
        member.keyworker = keyworker
    member.state, member.state_changed_at = state, now
    await repo.add_steps(session, [{"rule_id": rule_id, "pseudonym": pseudonym,
                                    "state": state, "keyworker": member.keyworker,
                                    "by": claims.sub, "at": now}])
    return member


@dataclass
class Prediction:
    measure: str
    month: str


async def predictions(session: AsyncSession, rule: StoredRule, members: list[CohortMember],
                      today: date) -> dict[str, list[Prediction]]:
    """Per member, when each eligible measure not yet met would first hold if nothing
    more happened (soonest first): the claim windows its progress so far points to."""
    if rule.outcomes is None:
        return {}
    events = await repo.events_of(session, [x.pseudonym for x in members])
    met = await repo.met_of(session, [(rule.id, x.pseudonym) for x in members])
    out: dict[str, list[Prediction]] = {}
    for member in members:
        evs = as_events(events.get(member.pseudonym, []))
        done = {x.measure for x in met.get((rule.id, member.pseudonym), [])}
        found = []
        for x in rule.outcomes.measures:
            if x.id in done or not measures.eligible(x, evs, member.identified_on):
                continue
            month = measures.predicted(x, evs, member.identified_on, today)
            if month is not None:
                found.append(Prediction(x.id, month))
        out[member.pseudonym] = sorted(found, key=lambda p: (p.month, p.measure))
    return out


def measure_counts(rule: StoredRule, members: list[CohortMember], met: list[OutcomeMet]
                   ) -> list[dict]:
    """Per measure: members that met it and members it was claimed for, most claimed
    first."""
    inside = {x.pseudonym for x in members}
    out = []
    for x in rule.outcomes.measures if rule.outcomes else []:
        mine = [r for r in met if r.measure == x.id and r.pseudonym in inside]
        out.append({"measure": x.id, "title": x.title, "met": len(mine),
                    "claimed": sum(1 for r in mine if r.claimed_at is not None)})
    return sorted(out, key=lambda r: (-r["claimed"], -r["met"], r["measure"]))


async def overview(session: AsyncSession, claims: Claims, rule: StoredRule, today: date,
                   limit: int) -> dict:
    """The co-ordinator's view of a rule's cohort (their districts, where the token names
    any): families per state, measures claimed most and least, the families closest to
    a claim and the most complex. Pseudonyms and counts, never codes."""
    members = [x for x in await repo.members_of_rule(session, rule.id)
               if in_districts(claims, x)]
    met = await repo.met_of_rule(session, rule.id)
    states = {s: 0 for s in STATES}
    for x in members:
        states[x.state] += 1
    open_ = [x for x in members if x.state not in ("claimed", "closed")]
    ahead = await predictions(session, rule, open_, today)
    unclaimed = {r.pseudonym for r in met if r.claimed_at is None}
    closest = sorted(
        ({"pseudonym": x.pseudonym, "state": x.state, "area": x.area,
          "claimable_now": x.pseudonym in unclaimed,
          "next_window": ahead[x.pseudonym][0].month if ahead.get(x.pseudonym) else None,
          "measure": ahead[x.pseudonym][0].measure if ahead.get(x.pseudonym) else None}
         for x in open_ if x.pseudonym in unclaimed or ahead.get(x.pseudonym)),
        key=lambda r: (not r["claimable_now"], r["next_window"] or "9999-99", r["pseudonym"]))
    complex_ = sorted(
        ({"pseudonym": x.pseudonym, "state": x.state, "area": x.area, "score": x.score,
          "headlines": x.headlines.split(),
          "indicators": x.baseline.get("P12M", {}).get("indicators", 0)}
         for x in members if x.state != "closed"),
        key=lambda r: (-r["score"], -len(r["headlines"]), r["pseudonym"]))
    return {"rule_id": rule.id, "families": len(members), "states": states,
            "measures": measure_counts(rule, members, met),
            "closest_to_claim": closest[:limit], "most_complex": complex_[:limit]}


async def history(session: AsyncSession, claims: Claims, rule_id: str,
                  pseudonym: str) -> dict:
    """What the family's keyworker sees, and nobody else: which codes, when."""
    member = await repo.member(session, rule_id, pseudonym)
    if member is None or not is_keyworker(claims, member):
        raise Refused(404, NOT_YOURS)
    events = (await repo.events_of(session, [pseudonym])).get(pseudonym, [])
    taken = await repo.measurements_of(session, rule_id, pseudonym)
    met = (await repo.met_of(session, [(rule_id, pseudonym)])).get((rule_id, pseudonym), [])
    return {"rule_id": rule_id, "pseudonym": pseudonym, "state": member.state,
            "identified_on": member.identified_on, "baseline": member.baseline,
            "events": [{"dataset": e.dataset, "code": e.code, "occurred_on": e.occurred_on,
                        "occurrences": e.occurrences} for e in events],
            "measurements": [{"month": t.month, "counts": t.counts, "met": t.met}
                             for t in taken],
            "met": [{"measure": x.measure, "month": x.month,
                     "claimed": x.claimed_at is not None}
                    for x in sorted(met, key=lambda x: (x.month, x.measure))]}


async def view(session: AsyncSession, claims: Claims, rule: StoredRule, pseudonym: str,
               today: date) -> dict:
    """A family's journey for its co-ordinator or keyworker: no codes."""
    member = await family(session, claims, rule.id, pseudonym)
    return await describe(session, rule, member, today)


async def describe(session: AsyncSession, rule: StoredRule, member: CohortMember,
                   today: date) -> dict:
    key = (rule.id, member.pseudonym)
    met = (await repo.met_of(session, [key])).get(key, [])
    windows = (await predictions(session, rule, [member], today)).get(member.pseudonym, [])
    steps = await repo.steps_of(session, rule.id, member.pseudonym)
    return {"rule_id": rule.id, "pseudonym": member.pseudonym, "area": member.area,
            "identified_on": member.identified_on, "state": member.state,
            "keyworker": member.keyworker, "headlines": member.headlines.split(),
            "score": member.score, "eligible": member.eligible.split(),
            "met": [{"measure": x.measure, "month": x.month,
                     "claimed": x.claimed_at is not None}
                    for x in sorted(met, key=lambda x: (x.month, x.measure))],
            "windows": [{"measure": w.measure, "month": w.month} for w in windows],
            "steps": [{"state": s.state, "keyworker": s.keyworker, "by": s.by, "at": s.at}
                      for s in steps]}


async def allocations(session: AsyncSession, claims: Claims, limit: int,
                      offset: int = 0) -> list[dict]:
    """A page of the families allocated to the calling keyworker, not closed (outside the
    token's districts, a family is left out of its page)."""
    return [{"rule_id": x.rule_id, "pseudonym": x.pseudonym, "state": x.state,
             "area": x.area, "identified_on": x.identified_on}
            for x in await repo.members_of_keyworker(session, claims.sub, limit, offset)
            if is_keyworker(claims, x)]
