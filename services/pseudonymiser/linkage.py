"""Linkage behind one door: the index of held records, scoring ahead, and linking a
group of batches' new records to persons (`Linkage.link`).

The index (probabilistic/index.py) is derived from the database and rebuilt at start
(`load`); scoring ahead (ahead.py) scores the next group while one is linked; linking
(linking.py) clusters the scored pairs into persons. A new model's index replaces the
index in one step (`use_index`, learning.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import SimpleNamespace

import pandas as pd
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.pseudonymiser import normalise
from services.pseudonymiser import repository as repo
from services.pseudonymiser.ahead import ScoreAhead
from services.pseudonymiser.linking import Linked, ProbabilisticLinker
from services.pseudonymiser.metrics import PseudonymiserMetrics
from services.pseudonymiser.models import IdentityRecord
from services.pseudonymiser.probabilistic import LinkageModel, frame_from_records
from services.pseudonymiser.probabilistic.index import LinkageIndex


def fill(rec: IdentityRecord, row: m.IdentityRow) -> None:
    """Copy a row's identity values and their normalised forms onto a record."""
    for name in m.IDENTITY_FIELDS:
        setattr(rec, name, getattr(row, name))
    rec.norm_given = normalise.name(row.given_name)
    rec.norm_given_first = normalise.first_name_token(row.given_name)
    rec.norm_family = normalise.name(row.family_name)
    rec.norm_sex = normalise.sex(row.sex)
    rec.norm_postcode = normalise.postcode(row.postcode)
    rec.norm_nhs = normalise.nhs_number(row.nhs_number)
    rec.address_key = normalise.address_key(row.address, row.postcode, row.uprn)


def features_of(batches: list[m.IdentityBatch]) -> pd.DataFrame:
    """The Splink features of a group's person-level rows as linking them builds them (a
    token sent twice: its last row), without the database."""
    latest: dict[str, SimpleNamespace] = {}
    for batch in batches:
        if batch.level == "person":
            for row in batch.rows:
                rec = latest[row.record_token] = SimpleNamespace(record_token=row.record_token)
                fill(rec, row)
    return frame_from_records(latest.values())


class Linkage:
    def __init__(self, model: LinkageModel, new_person: Callable[[], repo.Draft], *,
                 lean: bool = True, scoring_threads: int | None = None):
        self.index = LinkageIndex(model, lean=lean, scoring_threads=scoring_threads)
        self._linker = ProbabilisticLinker(self.index, new_person)
        self._ahead = ScoreAhead(self.index, features_of)
        self.metrics: PseudonymiserMetrics | None = None

    def observe(self, metrics: PseudonymiserMetrics) -> None:
        """Count each linkage call's time in ``metrics``, and name the model in use."""
        self.metrics = metrics
        metrics.model_in_use(self.model.version)

    @property
    def model(self) -> LinkageModel:
        return self.index.model

    @property
    def scored_ahead(self) -> int:
        """Groups linked with scores from ahead (for tests and benchmarks)."""
        return self._ahead.used

    async def load(self, session: AsyncSession) -> int:
        """Build the index from the held person-level records, page by page (the
        features of a million records are never all in memory at once)."""
        async for page in repo.person_level_records(session):
            await asyncio.to_thread(self.index.append, frame_from_records(page))
        return await asyncio.to_thread(self.index.load, [])

    async def catch_up(self, session: AsyncSession, after: int) -> tuple[int, int]:
        """Add the person-level records received or changed after the `after`'th
        (received_seq grows with each record linked or changed); returns how many, and
        the last received_seq seen. A standby's index follows the database so."""
        count, last = 0, after
        async for page in repo.person_level_records(session, after=after):
            await asyncio.to_thread(self.index.upsert, frame_from_records(page))
            count, last = count + len(page), page[-1].received_seq
        return count, last

    async def reconcile(self, session: AsyncSession) -> int:
        """Make the index hold the records the database holds: those deleted (by a
        retention sweep or an erasure, which catch_up cannot see) removed, any missing
        added; returns how many changed. A loaded and caught-up index holds every record
        the database does, so equal counts mean nothing was deleted (the comparison of
        tokens took 3-4 s at a million)."""
        if await repo.person_level_count(session) == await asyncio.to_thread(
                len, self.index):
            return 0
        held = await repo.person_level_tokens(session)
        indexed = await asyncio.to_thread(self.index.tokens)
        gone, missing = indexed - held, held - indexed
        await asyncio.to_thread(self.index.remove, gone)
        if missing:
            records = (await repo.records_by_token(session, missing)).values()
            await asyncio.to_thread(self.index.upsert, frame_from_records(records))
        return len(gone) + len(missing)

    def start(self, batches: list[m.IdentityBatch]) -> None:
        """Score a group ahead of its linkage, in a worker thread."""
        self._ahead.start(batches)

    async def caught_up(self, session: AsyncSession) -> None:
        """The last linkage call's records are in the index (call it holding the lock)."""
        await self._linker.remembered(session)

    def use_index(self, index: LinkageIndex) -> None:
        """Link with another index (a new model's) from the next call on; call it holding
        the linkage lock. Scores started ahead on the old one are not used."""
        self.index = self._linker.index = self._ahead.index = index
        if self.metrics is not None:
            self.metrics.model_in_use(index.model.version)

    async def link(self, session: AsyncSession, batches: list[m.IdentityBatch],
                   people: list, changed: list, purpose: str) -> Linked:
        """Link a group's new person-level records (`people`) to held persons, given
        every new or changed person-level record (`changed`); those go into the index
        once linked. Holding the linkage lock."""
        start = time.perf_counter()
        # the scores ahead, once ready, brought up to date; or the group scored now
        ahead = await self._ahead.take(batches) if purpose == "data" else None
        # the features of every new or changed person-level record, built once (or with
        # the scores ahead): the new ones are scored, all go into the index
        features = ahead.features if ahead is not None else frame_from_records(changed)
        scored = None
        await self._linker.remembered(session)  # the last call's records, in the index
        if people:
            scored = await self._ahead.pairs(ahead, features,
                                             {r.record_token for r in people})
        seconds = round(time.perf_counter() - start, 4)
        linked = await self._linker.link(session, people, scored)
        linked.score_seconds = seconds
        self._linker.remember(session, features)
        if self.metrics is not None:
            self.metrics.linkage.labels(purpose).observe(time.perf_counter() - start)
        return linked
