"""The linker's logic: join events to pseudonyms, obey assignments and opt-outs, build profiles.

No SQL here (see repository.py) and nothing that names a person.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.common.db import utcnow
from services.linker import repository as repo

log = logging.getLogger("tessera.linker")

OPT_OUT_ALL = "all"
PARTNER_PREFIX = "partner:"


@dataclass
class Affected:
    """Pseudonyms whose profile may have changed. `must_*` are published even when empty,
    so the scorer clears them; the others only when they have events."""

    persons: set[str] = field(default_factory=set)
    households: set[str] = field(default_factory=set)
    must_persons: set[str] = field(default_factory=set)
    must_households: set[str] = field(default_factory=set)

    def add(self, a: m.Assignment | object, must: bool = False) -> None:
        person = getattr(a, "person", None)
        household = getattr(a, "household", None)
        if person and getattr(a, "level", "person") == "person":
            (self.must_persons if must else self.persons).add(person)
        if household:
            (self.must_households if must else self.households).add(household)


def blocks(scopes: set[str], partner: str) -> bool:
    """Whether a person's opt-outs forbid keeping an event from this partner."""
    return OPT_OUT_ALL in scopes or f"{PARTNER_PREFIX}{partner}" in scopes


async def ingest_events(session: AsyncSession, batch: m.EventBatch) -> Affected:
    affected = Affected()
    unique: dict[str, m.EventRow] = {}
    for row in batch.events:
        unique.setdefault(row.event_token, row)
    known = await repo.existing_event_tokens(session, unique)
    fresh = [row for token, row in unique.items() if token not in known]
    assignments = await repo.assignments_of(session, {r.record_token for r in fresh})
    optouts = await repo.optouts_of(session, {a.person for a in assignments.values()})
    now = utcnow()
    keep: list[dict] = []
    dropped = 0
    for row in fresh:
        a = assignments.get(row.record_token)
        if a is not None and (a.withheld or blocks(optouts.get(a.person, set()), batch.partner)):
            dropped += 1
            continue
        keep.append({"event_token": row.event_token, "record_token": row.record_token,
                     "partner": batch.partner, "dataset": batch.dataset, "level": batch.level,
                     "code": row.code, "occurred_on": row.occurred_on, "received_at": now})
        if a is not None:
            affected.add(a)
    await repo.insert_events(session, keep)
    log.info("events batch chunk %d: %d stored, %d duplicate, %d dropped",
             batch.chunk, len(keep), len(batch.events) - len(fresh), dropped)
    return affected


async def apply_assignments(session: AsyncSession, batch: m.AssignmentBatch) -> Affected:
    affected = Affected()
    latest: dict[str, m.Assignment] = {}
    for a in batch.assignments:
        if a.record_token not in latest or a.version > latest[a.record_token].version:
            latest[a.record_token] = a
    stored = await repo.assignments_of(session, latest)
    applied = [a for t, a in latest.items() if t not in stored or stored[t].version < a.version]
    if not applied:
        return affected
    tokens = {a.record_token for a in applied}
    with_events = await repo.tokens_with_events(session, tokens)
    now = utcnow()
    inserts, updates = [], []
    for a in applied:
        old = stored.get(a.record_token)
        withheld_at = (old.withheld_at if old is not None and old.withheld else now
                       ) if a.withheld else None
        row = {"record_token": a.record_token, "level": a.level, "person": a.person,
               "household": a.household, "area": a.area, "lsoa": a.lsoa,
               "withheld": a.withheld,
               "withheld_at": withheld_at, "version": a.version, "assigned_at": now}
        if old is None:
            inserts.append(row)
        else:
            updates.append(row)
            had_events = a.record_token in with_events
            if old.person and old.level == "person":
                moved = a.withheld or a.level != "person" or a.person != old.person
                (affected.must_persons if moved and had_events else affected.persons).add(
                    old.person)
            if old.household:
                moved = a.withheld or a.household != old.household
                (affected.must_households if moved and had_events
                 else affected.households).add(old.household)
        affected.add(a, must=a.record_token in with_events)
    await repo.insert_assignments(session, inserts)
    await repo.update_assignments(session, updates)
    await _purge_after_assignment(session, applied, with_events, stored)
    log.info("assignments: %d received, %d applied", len(batch.assignments), len(applied))
    return affected


async def _purge_after_assignment(session: AsyncSession, applied: list[m.Assignment],
                                  with_events: set[str], stored: dict) -> None:
    """Tokens now assigned to a person who opted out lose the events their opt-out covers.
    A token that was already the person's keeps its events when withheld, out of every
    profile, until the sweep erases them; a token first seen withheld (a new record of a
    person who objected) never held the person's data, and loses its events at once."""
    candidates = [a for a in applied if a.record_token in with_events]
    new_and_withheld = [a.record_token for a in candidates
                        if a.withheld and a.record_token not in stored]
    purged = await repo.delete_events_of_tokens(session, new_and_withheld)
    optouts = await repo.optouts_of(session, {a.person for a in candidates if not a.withheld})
    by_partner: dict[str | None, list[str]] = {}
    for a in candidates:
        for scope in optouts.get(a.person, set()) if not a.withheld else ():
            if scope == OPT_OUT_ALL:
                by_partner.setdefault(None, []).append(a.record_token)
            elif scope.startswith(PARTNER_PREFIX):
                by_partner.setdefault(scope[len(PARTNER_PREFIX):], []).append(a.record_token)
    for partner, tokens in by_partner.items():
        purged += await repo.delete_events_of_tokens(session, tokens, partner)
    if purged:
        log.info("assignments: %d events purged (withheld or opted out)", purged)


async def decide(session: AsyncSession, decision: m.ConsentDecision) -> Affected:
    affected = Affected()
    scope = decision.scope
    if not decision.effective or not (scope == OPT_OUT_ALL or scope.startswith(PARTNER_PREFIX)):
        return affected
    if not await repo.apply_decision(session, decision):
        log.info("decision %s: older than the one applied, ignored", decision.decision_id)
        return affected
    if decision.status != "opt_out":
        if scope == OPT_OUT_ALL:  # withheld here directly, so released here too: the
            # pseudonymiser's re-assignment may have arrived before the opt-out did
            if await repo.release_person(session, decision.person):
                affected.must_persons.add(decision.person)
                affected.must_households.update(
                    await repo.households_of_person(session, decision.person))
        log.info("decision %s: opt-out lifted", decision.decision_id)
        return affected
    affected.must_persons.add(decision.person)
    affected.must_households.update(await repo.households_of_person(session, decision.person))
    if scope == OPT_OUT_ALL:
        # withheld, not deleted: a mistaken opt-out can still be undone; the sweep erases
        # the events once the opt-out has stood for optout_erasure_after (docs/consent.md)
        withheld = await repo.withhold_person(session, decision.person, utcnow())
        log.info("decision %s: opt-out applied, %d records withheld", decision.decision_id,
                 withheld)
        return affected
    partner = scope[len(PARTNER_PREFIX):]
    purged = await repo.delete_events_of_person(session, decision.person, partner)
    log.info("decision %s: opt-out applied, %d events purged", decision.decision_id, purged)
    return affected


async def republish(session: AsyncSession, request: m.RepublishRequest, seq: int) -> Affected:
    """The scorer asks again: the listed profiles (published even when now empty, so the
    scorer clears them), or every profile of the given levels (a full re-score). A full
    re-score marks every profile in one INSERT ... SELECT; the profile publisher then sends
    them in bounded rounds, never as one giant message or transaction."""
    affected = Affected()
    marked = 0
    if request.all:
        for level in ("person", "household"):
            if level in request.levels:
                marked += await repo.mark_all(session, level, seq)
    for ref in request.profiles:
        (affected.must_persons if ref.level == "person" else affected.must_households).add(
            ref.pseudonym)
    log.info("republish %s: %d marked, %d persons and %d households listed", request.request_id,
             marked, len(affected.must_persons), len(affected.must_households))
    return affected


async def mark(session: AsyncSession, affected: Affected, seq: int) -> None:
    """Mark the affected profiles for the profile publisher (same transaction as the change)."""
    await repo.mark(session, "person", affected.persons, affected.must_persons, seq)
    await repo.mark(session, "household", affected.households, affected.must_households, seq)


async def build_profiles(session: AsyncSession, affected: Affected) -> list[m.Profile]:
    profiles: list[m.Profile] = []
    for level, wanted, must in (
        ("person", affected.persons | affected.must_persons, affected.must_persons),
        ("household", affected.households | affected.must_households, affected.must_households),
    ):
        if not wanted:
            continue
        # Values come from our own typed columns: construct without re-validating each
        # event (the consumer validates the whole message when it decodes it).
        event = m.ProfileEvent.model_construct
        events: dict[str, list[tuple]] = {}
        for pseudonym, dataset, code, on in await repo.profile_events(session, level, wanted):
            events.setdefault(pseudonym, []).append((on, dataset, code))
        areas = await repo.latest_areas(session, level, wanted)
        for pseudonym in sorted(wanted):
            mine = events.get(pseudonym, [])
            if not mine and pseudonym not in must:
                continue
            mine.sort()
            profiles.append(m.Profile.model_construct(
                pseudonym=pseudonym, level=level, area=areas.get(pseudonym),
                events=[event(dataset=dataset, code=code, occurred_on=on)
                        for on, dataset, code in mine]))
    return profiles
