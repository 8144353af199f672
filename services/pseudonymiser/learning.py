"""The linkage model's life in the running service: train, check, swap, re-link.

A job runs beside linkage, which never stops:

1. snapshot: the index's rows to a Parquet file (linkage goes on; a journal notes
   every record changed after it);
2. training: a process of its own trains a model on the snapshot (probabilistic/
   trainer.py), at a low priority and on one DuckDB thread;
3. indexing and scoring: a second index, the new model's, is built from the snapshot
   and scores every candidate pair; the records changed meanwhile are caught up;
4. checking: the new model's plan is compared with what is held (the share of record
   pairs it keeps together, the largest person it makes) and both models are scored on
   the clerical decisions; a model that fails is refused and nothing changes;
5. swapping: holding the linkage lock for a moment, the last changes are caught up, the
   model is stored as the active one and linkage goes on with the new index;
6. relinking: the plan is applied a few hundred pieces a transaction, each taking the
   linkage lock in turn with arriving batches, its merges and splits published as it
   goes (relink.py); pseudonyms stay with the larger part of a person;
7. reviews: the queue re-scored with the new model, and the model marked re-linked.

A model stored but not yet re-linked (the service stopped mid-way, or an operator's
offline `train`) is re-linked when the service starts again. The policy starts a job
after the first load and when the held records have grown; an operator can start one.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from services.common.db import utcnow
from services.common.runtime import Runtime
from services.common.tasks import cancel_and_wait
from services.pseudonymiser import relink
from services.pseudonymiser import repository as repo
from services.pseudonymiser.ahead import select
from services.pseudonymiser.assembly import configured
from services.pseudonymiser.outgoing import publish
from services.pseudonymiser.probabilistic import LinkageModel
from services.pseudonymiser.probabilistic import snapshot as sealed
from services.pseudonymiser.probabilistic.index import Journal, LinkageIndex
from services.pseudonymiser.service import Outcome, Pseudonymiser
from services.pseudonymiser.settings import PseudonymiserSettings

log = logging.getLogger("tessera.pseudonymiser")

STAGES = ("snapshot", "training", "indexing", "scoring", "checking", "swapping",
          "relinking", "reviews")
# decided review pairs a check scores (the most recent)
CHECK_DECISIONS = 2000


class Busy(Exception):
    """A job is running already."""


@dataclass
class Check:
    passed: bool = True
    reasons: list[str] = field(default_factory=list)
    pairs_held: int = 0  # record pairs one person now
    pairs_planned: int = 0  # ... one person under the new model
    kept: float | None = None  # share of pairs_held the new model keeps together
    largest_person: int = 0
    largest_planned: int = 0
    decisions: int = 0  # clerical decisions scored
    agree_current: int = 0  # ... the current model's link band agrees with
    agree_new: int = 0


@dataclass
class Job:
    id: int
    reason: str
    train: bool  # False: re-link with the active model (one owed)
    force: bool = False
    requested_by: str | None = None
    state: str = "running"  # running, done, refused, failed, cancelled
    stage: str = "snapshot"
    done: int = 0  # of the stage's units (relinking: pieces of the plan)
    total: int = 0
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None
    records: int = 0  # in the snapshot
    caught_up: int = 0  # records changed while the job ran, added to the new index
    model_version: str | None = None
    pairs_scored: int = 0
    check: Check | None = None
    pieces: int = 0
    merges: int = 0
    splits: int = 0
    moved_records: int = 0
    review_superseded: int = 0
    review_queued: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    _clock: float = field(default_factory=time.perf_counter, repr=False)

    def _lap(self) -> None:
        now = time.perf_counter()
        self.seconds[self.stage] = round(self.seconds.get(self.stage, 0) + now - self._clock, 2)
        self._clock = now

    def enter(self, stage: str, total: int = 0) -> None:
        self._lap()
        self.stage, self.done, self.total = stage, 0, total
        log.info("linkage model job %d: %s", self.id, stage)

    def end(self, state: str, error: str | None = None) -> None:
        self._lap()
        self.state, self.error, self.finished_at = state, error, utcnow()
        log.info("linkage model job %d %s%s", self.id, state, f" ({error})" if error else "")

    def public(self) -> dict:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}


class Learning:
    def __init__(self, rt: Runtime, service: Pseudonymiser, settings: PseudonymiserSettings):
        self.rt = rt
        self.service = service
        self.settings = settings
        self.job: Job | None = None  # the running or the last job
        self._task: asyncio.Task | None = None
        self._ids = 0
        self._refused_at = 0  # held records when the policy's last model was refused

    # --- starting -------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, reason: str, *, train: bool = True, force: bool = False,
              requested_by: str | None = None) -> Job:
        if self.running:
            raise Busy()
        self._ids += 1
        self.job = Job(id=self._ids, reason=reason, train=train, force=force,
                       requested_by=requested_by)
        self._task = asyncio.create_task(self._run(self.job), name="pseudonymiser-learning")
        return self.job

    async def resume(self) -> None:
        """At start: re-link with the active model if it was stored and never re-linked."""
        async with self.rt.sessionmaker() as session:
            row = await repo.active_model(session)
        if row is not None and row.trained_on is not None and row.relinked_at is None:
            self.start("the active model's re-link had not finished", train=False)

    async def tick(self) -> None:
        """The policy, run every learn_check_interval_s."""
        reason = await self.due()
        if reason is not None:
            with contextlib.suppress(Busy):  # an officer started one meanwhile
                self.start(reason)

    def next_training_at(self, trained_on: int | None) -> int | None:
        """Held records at which the policy trains next (None: it never does)."""
        s = self.settings
        if not s.learn_auto:
            return None
        grown = math.ceil((trained_on or 0) * (1 + s.learn_growth))
        return max(s.learn_min_records, grown, math.ceil(self._refused_at * (1 + s.learn_growth)))

    async def due(self) -> str | None:
        """Why a model should be trained now, or None."""
        if self.running or not self.settings.learn_auto:
            return None
        if time.monotonic() - self.service.last_linked < self.settings.learn_quiet_s:
            return None  # identity batches are arriving: wait for a pause
        async with self.rt.sessionmaker() as session:
            row = await repo.active_model(session)
        trained_on = row.trained_on if row is not None else None
        held = await asyncio.to_thread(len, self.service.linkage.index)
        if held < self.next_training_at(trained_on):
            return None
        if not trained_on:
            return "first training on the held records"
        return f"held records grew from {trained_on} to {held}"

    async def close(self) -> None:
        await cancel_and_wait(self._task)

    # --- the job ----------------------------------------------------------------------

    async def _run(self, job: Job) -> None:
        try:
            await self._stages(job)
        except asyncio.CancelledError:
            job.end("cancelled")
            raise
        except Exception as exc:
            job.end("failed", str(exc) if isinstance(exc, RuntimeError) else
                    type(exc).__name__)
            log.error("linkage model job %d failed: %s", job.id, job.error)
            if job.requested_by is None:  # the policy waits for more records to try again
                self._refused_at = max(1, len(self.service.linkage.index))

    async def _stages(self, job: Job) -> None:
        s = self.settings
        live = self.service.linkage.index
        with tempfile.TemporaryDirectory(prefix="tessera-learning-") as tmp:
            snapshot = Path(tmp) / "held.parquet.sealed"
            key = sealed.new_key()  # for this job alone: the sealed file dies with it
            job.records, journal = await asyncio.to_thread(live.snapshot, snapshot, key)
            try:
                if job.train:
                    job.enter("training")
                    stored = await self._train(snapshot, key, Path(tmp) / "model.json")
                else:
                    async with self.rt.sessionmaker() as session:
                        row = await repo.active_model(session)
                    stored = LinkageModel.from_json(row.document)
                model = configured(stored, s)
                job.model_version = model.version
                job.enter("indexing", job.records)
                index = LinkageIndex(model, threads=s.learn_threads,
                                     lean=s.incremental_blocking == "lean",
                                     scoring_threads=s.scoring_threads or None)
                await asyncio.to_thread(index.load_snapshot, snapshot, key)
            except BaseException:
                live.unfollow(journal)
                raise
        try:
            job.enter("scoring")
            scored = await asyncio.to_thread(index.score_all)
            universe = await asyncio.to_thread(index.tokens)  # the records scored
            scored = await self._catch_up(job, live, journal, index, scored, universe)
            job.enter("checking")
            plan = await self._plan(scored, universe)
            async with self.rt.sessionmaker() as session:
                job.check = await self._check(session, plan, live.model, index)
            if job.train and not job.check.passed and not job.force:
                if job.requested_by is None:
                    self._refused_at = job.records
                job.end("refused", "; ".join(job.check.reasons))
                return
            job.enter("swapping")
            before = job.caught_up
            scored = await self._swap(job, live, journal, index, stored, scored, universe)
        finally:
            live.unfollow(journal)
        if job.caught_up > before:  # records linked by the old model during the check
            plan = await self._plan(scored, universe)
        job.pairs_scored = len(scored)
        await self._relink(job, plan, stored.version)
        job.end("done")

    async def _plan(self, scored: pd.DataFrame, universe: set[str]) -> relink.Plan:
        async with self.rt.sessionmaker() as session:
            return await relink.make_plan(session, scored, universe)

    async def _train(self, snapshot: Path, key: bytes, out: Path) -> LinkageModel:
        s = self.settings
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.pseudonymiser.probabilistic.trainer",
            str(snapshot), str(out), "--seed", str(s.learn_seed), "--sample",
            str(s.learn_sample), "--threads", str(s.learn_threads), "--nice",
            str(s.learn_nice), "--u-max-pairs", str(s.learn_u_max_pairs),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE)
        try:
            _, err = await proc.communicate(key.hex().encode() + b"\n")
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        if proc.returncode != 0:
            # the last line names the exception; its text may quote a record: not logged
            last = (err.decode(errors="replace").strip().splitlines() or [""])[-1]
            raise RuntimeError(f"the trainer exited with {proc.returncode} "
                               f"({last.split(':', 1)[0][:80]})")
        return LinkageModel.from_json(await asyncio.to_thread(out.read_text))

    async def _catch_up(self, job: Job, live: LinkageIndex, journal: Journal,
                        index: LinkageIndex, scored: pd.DataFrame,
                        universe: set[str]) -> pd.DataFrame:
        """Bring the new index up to the live one: the records changed since the
        snapshot (or the last catch-up) as held now, removed ones removed, their pairs
        scored again; `universe` (the tokens scored) kept up to date."""
        if journal.broken:
            raise RuntimeError("the live index was reloaded during the job")
        tokens = live.drain(journal)
        if not tokens:
            return scored
        rows = await asyncio.to_thread(live.features, tokens)
        present = set(rows["unique_id"])
        # scored against the rest (and each other) before they join it
        await asyncio.to_thread(index.remove, tokens)
        # the model's own rules, as `score_all` paired the rest
        fresh = await asyncio.to_thread(functools.partial(index.score, rows, full=True))
        await asyncio.to_thread(index.upsert, rows)
        universe.difference_update(tokens - present)
        universe.update(present)
        job.caught_up += len(tokens)
        kept = scored[~scored["unique_id_l"].isin(tokens) & ~scored["unique_id_r"].isin(tokens)]
        return pd.concat([kept, select(fresh, present, set())], ignore_index=True)

    async def _check(self, session, plan: relink.Plan, current: LinkageModel,
                     index: LinkageIndex) -> Check:
        s = self.settings
        check = Check(pairs_held=plan.pairs_held, pairs_planned=plan.pairs_planned,
                      largest_person=plan.largest_person, largest_planned=plan.largest_group)
        if plan.pairs_held:
            check.kept = round(plan.pairs_kept / plan.pairs_held, 4)
            if check.kept < s.learn_min_kept:
                check.reasons.append(f"keeps {check.kept:.1%} of the record pairs held "
                                     f"together (at least {s.learn_min_kept:.0%} wanted)")
        if plan.largest_group > max(s.learn_max_person, 2 * plan.largest_person):
            check.reasons.append(f"makes a person of {plan.largest_group} records")
        decided = await repo.recent_decisions(session, CHECK_DECISIONS)
        if decided:
            frame = await asyncio.to_thread(index.features, {t for a, b, _ in decided
                                                             for t in (a, b)})
            held = set(frame["unique_id"])
            decided = [d for d in decided if d[0] in held and d[1] in held]
            pairs = [(a, b) for a, b, _ in decided]
            now, new = await asyncio.gather(
                asyncio.to_thread(current.probabilities, frame, pairs),
                asyncio.to_thread(index.model.probabilities, frame, pairs))

            def agree(model: LinkageModel, scores: dict) -> int:
                link = model.thresholds.link
                return sum((scores.get((a, b), 0.0) >= link) == (status == "match")
                           for a, b, status in decided)

            check.decisions = len(decided)
            check.agree_current = agree(current, now)
            check.agree_new = agree(index.model, new)
            if check.agree_new < check.agree_current - max(1, 0.02 * len(decided)):
                check.reasons.append(f"agrees with {check.agree_new} of {len(decided)} "
                                     f"clerical decisions, the current model with "
                                     f"{check.agree_current}")
        check.passed = not check.reasons
        return check

    async def _swap(self, job: Job, live: LinkageIndex, journal: Journal,
                    index: LinkageIndex, stored: LinkageModel, scored: pd.DataFrame,
                    universe: set[str]) -> pd.DataFrame:
        """The last catch-up and the swap, holding the linkage lock (a moment: only
        the records linked during the check are caught up); returns the pairs scored."""
        try:
            async with self.service.lock.transaction(self.rt.sessionmaker) as session:
                await self.service.linkage.caught_up(session)
                scored = await self._catch_up(job, live, journal, index, scored, universe)
                if job.train:
                    await repo.save_model(session, stored.version, stored.to_json(),
                                          trained_on=job.records)
                index.bulk_threads(None)
                self.service.linkage.use_index(index)
        except BaseException:
            if self.service.linkage.index is index:  # not stored: keep the old model
                self.service.linkage.use_index(live)
            raise
        log.info("linkage model %s in use (%d records caught up)", index.model.version,
                 job.caught_up)
        return scored

    async def _relink(self, job: Job, plan: relink.Plan, stored_version: str) -> None:
        step = self.settings.relink_chunk_pieces
        job.enter("relinking", len(plan.pieces))
        job.pieces = len(plan.pieces)
        done: set[int] = set()
        for start in range(0, len(plan.pieces), step):
            chunk = [i for i in range(start, min(start + step, len(plan.pieces)))
                     if i not in done]
            if not chunk:
                continue
            async with self.service.lock.transaction(self.rt.sessionmaker) as session:
                applied = await relink.apply(self.service, session, plan, chunk, done)
                publish(self.rt.outbox, session, Outcome(assignments=applied.assignments,
                                                         changes=applied.changes))
            job.merges += applied.merges
            job.splits += applied.splits
            job.moved_records += applied.moved
            job.done = len(done)
            await asyncio.sleep(0)  # a waiting linkage call takes the lock first
        job.enter("reviews")
        version = self.service.linkage.model.version
        async with self.service.lock.transaction(self.rt.sessionmaker) as session:
            job.review_superseded, job.review_queued = await relink.settle_reviews(
                session, plan.scored, version)
            await repo.mark_relinked(session, stored_version)
