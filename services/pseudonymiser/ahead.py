"""Scoring the next group of identity batches while the current one is linked.

Scoring (DuckDB, in a worker thread) is most of a linkage call's time, and it needs no
transaction; the rest (clusters, households, assignments) is Python and SQL on the event
loop. When the consumer has fetched the next group (bus.Consumer's lookahead), `start`
scores it against the index as it stands; the call that links it (`take`, `pairs`) then
re-scores it only against the held records that changed in between (the groups linked
meanwhile), so it gets the pairs a call scored from scratch would get. Both kinds of work
run at once on two cores.

Scorings started ahead run one at a time, in the order they were started: at the start
of a burst the first group (which its call is waiting for) and the group fetched ahead
of it were scored at once, on the same two cores as the gateway still accepting the
burst, and the first call waited for both. A call that waits for scores still queued
starts them at once.

A group linked differently from how it was fetched (some of it already applied, a
failed group retried one by one) finds no scores under its key and is scored as usual.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from services.common import messages as m
from services.pseudonymiser.probabilistic.index import LinkageIndex

log = logging.getLogger("tessera.pseudonymiser")

KEEP = 2  # groups scored ahead and not yet taken (older ones are dropped)

Key = tuple[tuple[str, int, int], ...]


@dataclass
class Scored:
    features: pd.DataFrame  # the group's person-level rows, as linking it builds them
    pairs: pd.DataFrame  # LinkageIndex.score of those
    generation: int  # the index generation the scores saw
    index: LinkageIndex  # the index that scored them


def key_of(batches: list[m.IdentityBatch]) -> Key:
    return tuple((b.batch_id, b.chunk, len(b.rows)) for b in batches)


class ScoreAhead:
    def __init__(self, index: LinkageIndex,
                 features: Callable[[list[m.IdentityBatch]], pd.DataFrame]):
        self.index = index
        self.features = features  # the person-level rows' features, as linkage builds them
        # each group's scoring, and the event that starts it without waiting its turn
        self._tasks: OrderedDict[Key, tuple[asyncio.Task, asyncio.Event]] = OrderedDict()
        self._last: asyncio.Task | None = None  # the scoring started last
        self.used = 0  # groups linked with scores from ahead (for tests and benchmarks)

    def start(self, batches: list[m.IdentityBatch]) -> None:
        """Score this group in a worker thread (no-op if already started)."""
        key = key_of(batches)
        if key in self._tasks or not any(b.level == "person" for b in batches):
            return
        while len(self._tasks) >= KEEP:
            _, (stale, _) = self._tasks.popitem(last=False)
            stale.cancel()
        now = asyncio.Event()
        self._last = asyncio.create_task(self._in_turn(self._last, now, batches))
        self._tasks[key] = (self._last, now)

    async def _in_turn(self, before: asyncio.Task | None, now: asyncio.Event,
                       batches: list[m.IdentityBatch]) -> Scored:
        """Score once the scoring started before this one has ended, or at once when
        the call linking this group waits for it (`now`)."""
        if before is not None and not before.done():
            waiting = asyncio.create_task(now.wait())
            try:
                await asyncio.wait([before, waiting], return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiting.cancel()
        return await asyncio.to_thread(self._score, batches)

    def _score(self, batches: list[m.IdentityBatch]) -> Scored:
        frame = self.features(batches)
        index = self.index
        scored, generation = index.score_at(frame)
        return Scored(frame, scored, generation, index)

    async def take(self, batches: list[m.IdentityBatch]) -> Scored | None:
        """The scores started for exactly this group, once ready (None if there are none
        or scoring failed)."""
        started = self._tasks.pop(key_of(batches), None)
        if started is None:
            return None
        task, now = started
        now.set()  # not waiting behind scores ahead of later groups
        try:
            if task.done():
                return task.result()
            with self.index.hurried():  # the call waits for it: all cores to it
                return await task
        except Exception as exc:
            log.warning("scoring ahead failed (%s); scoring now", type(exc).__name__)
            return None

    async def pairs(self, ahead: Scored | None, features: pd.DataFrame,
                    fresh: set[str]) -> pd.DataFrame:
        """The scored pairs of the group's new records (`fresh`), each on the left, with
        held records and with the group's other records as sent (`features`: the
        group's person-level rows). From the scores ahead brought up to date when there
        are some, else scored now; the same pairs either way."""
        since = (self.index.changed_since(ahead.generation)
                 if ahead is not None and ahead.index is self.index else None)
        if since is None:  # none ahead (or by another model's index), the index reloaded
            # since, or too much changed
            with self.index.hurried():
                scored = await asyncio.to_thread(self.index.score, features)
            changed, held = set(), None
        else:
            scored, (changed, held) = ahead.pairs, since
            self.used += 1
        out = [select(scored, fresh, changed)]
        if held is not None and len(held):
            new = features[features["unique_id"].isin(fresh)]
            with self.index.hurried():
                out.append(await asyncio.to_thread(self.index.score_changed, new, held))
        out = pd.concat(out, ignore_index=True) if len(out) > 1 else out[0]
        return out.sort_values(["unique_id_l", "unique_id_r"], ignore_index=True)


def select(scored: pd.DataFrame, fresh: set[str], changed: set[str]) -> pd.DataFrame:
    """The pairs with a new record, the new one on the left (in a group a record re-sent
    under a held token may be the left one), less those with a record changed since."""
    l_id, r_id = scored["unique_id_l"], scored["unique_id_r"]
    swap = ~l_id.isin(fresh) & r_id.isin(fresh)
    if swap.any():
        scored = scored.copy()
        scored.loc[swap, ["unique_id_l", "unique_id_r"]] = (
            scored.loc[swap, ["unique_id_r", "unique_id_l"]].to_numpy())
    keep = scored["unique_id_l"].isin(fresh) & ~scored["unique_id_r"].isin(changed)
    return scored[keep]
