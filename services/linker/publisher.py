"""The profile publisher: sends each marked profile once per round, through the outbox.

A round reads up to `per_round` marks and builds their profiles without the write lock
(ingest goes on meanwhile), then, holding the lock, removes the marks that were not set
again since they were read and adds to the outbox, in messages of `per_message`
profiles, the profiles whose marks are still there. A mark set again meanwhile stays:
the profile read goes out now (so a person touched by every batch is never starved) and
the newer one next round. A mark that is gone (another linker instance published it
first) sends nothing, so a stale read never follows a fresher one. Marks are committed
with the change that made them, so a crash loses no profile: the next round after a
restart publishes it.

Each profile carries the write-lock counter of the transaction that claimed its mark
(its `sequence`): claims are serialised by the lock across every linker instance, and a
change made after a profile was read leaves its mark for a later claim, so the last
profile of a pseudonym has the largest sequence and holds every change. The scorer keeps
the largest it applied and ignores a smaller one, whichever of its processes applies
which message first.
"""

from __future__ import annotations

import asyncio
import logging
import time

from services.common import messages as m
from services.common import subjects
from services.common.repository import chunks
from services.common.runtime import Runtime
from services.linker import repository as repo
from services.linker import service
from services.linker.retention import with_agreements

log = logging.getLogger("tessera.linker")


class ProfilePublisher:
    def __init__(self, rt: Runtime, per_round: int = 2000, per_message: int = 200,
                 pacing: float = 2.0, max_pause_s: float = 30.0):
        self.rt = rt
        self.per_round = max(1, per_round)
        self.per_message = max(1, per_message)
        self.pacing = max(0.0, pacing)
        self.max_pause_s = max_pause_s
        self.published = 0
        self._pause = 0.0

    async def round(self) -> int:
        """One round; returns how many marks it read (0 when there was nothing to do)."""
        async with self.rt.sessionmaker() as session:
            marks = await repo.pending_marks(session, self.per_round)
            if not marks:
                return 0
            affected = service.Affected()
            for pseudonym, level, must, _ in marks:
                if level == "person":
                    (affected.must_persons if must else affected.persons).add(pseudonym)
                else:
                    (affected.must_households if must else affected.households).add(pseudonym)
            profiles = await service.build_profiles(session, affected)
            profiles = await with_agreements(session, profiles)
        upto = max(seq for *_, seq in marks)
        async with self.rt.sessionmaker() as session, session.begin():
            sequence = await repo.serialize(session)
            present = {
                "person": await repo.claim_marks(
                    session, "person", affected.persons | affected.must_persons, upto),
                "household": await repo.claim_marks(
                    session, "household", affected.households | affected.must_households, upto),
            }
            mine = [p.model_copy(update={"sequence": sequence}) for p in profiles
                    if p.pseudonym in present[p.level]]
            for part in chunks(mine, self.per_message):
                self.rt.outbox.add(session, subjects.PROFILES, m.ProfileBatch.model_construct(
                    profiles=part))
        self.published += len(mine)
        if self.rt.relay:
            self.rt.relay.wake()
        log.info("profiles: %d marks read, %d profiles published", len(marks), len(mine))
        return len(marks)

    async def drain(self) -> int:
        """Rounds until no full round is left; returns how many marks were read.

        Paced: after rounds that took t seconds the next drain waits `pacing` x t more, so
        under sustained ingest, where every round rebuilds large profiles, publication
        takes at most 1 / (1 + pacing) of the process and storing events keeps up;
        profiles are then coalesced over longer intervals."""
        if self._pause:
            await asyncio.sleep(self._pause)
        started = time.monotonic()
        total = 0
        while True:
            n = await self.round()
            total += n
            if n < self.per_round:
                break
        busy = time.monotonic() - started
        self._pause = min(self.max_pause_s, self.pacing * busy) if total else 0.0
        return total
