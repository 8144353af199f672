"""Scoring a group ahead of its linkage (ahead.py): the pairs are those of scoring it when
it is linked, including pairs with records linked in between."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from services.common import messages as m
from services.pseudonymiser.ahead import ScoreAhead, select
from services.pseudonymiser.linkage import features_of
from services.pseudonymiser.probabilistic import LinkageModel
from services.pseudonymiser.probabilistic.index import LinkageIndex
from synthetic import generate_borough

MODEL = (Path(__file__).resolve().parents[2] / "services" / "pseudonymiser" / "probabilistic"
         / "default_model.json")


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    borough = generate_borough(11, 300, date(2025, 3, 31))
    return [{**r, "record_token": f"{ds.dataset}|{r['local_id']}"}
            for ds in borough.datasets if ds.level == "person" for r in ds.identities]


def batch(rows: list[dict]) -> m.IdentityBatch:
    fields = set(m.IdentityRow.model_fields)
    return m.IdentityBatch(batch_id=uuid.uuid4().hex, chunk=0, partner="p", dataset="d",
                           level="person",
                           rows=[m.IdentityRow(**{k: v for k, v in r.items() if k in fields})
                                 for r in rows])


def as_dict(scored: pd.DataFrame) -> dict:
    return {(a, b): (round(p, 9), band) for a, b, p, band in zip(
        scored["unique_id_l"], scored["unique_id_r"], scored["match_probability"],
        scored["band"], strict=True)}


async def test_scores_ahead_brought_up_to_date_equal_scoring_now(rows):
    """Group B is scored ahead while group A (which shares people with B) is linked and
    remembered; B's pairs then equal those of scoring B after A."""
    model = LinkageModel.from_json(MODEL.read_text())
    held, a_rows, b_rows = rows[:-400], rows[-400:-200], rows[-200:]
    index = LinkageIndex(model)
    ahead = ScoreAhead(index, features_of)
    a, b = batch(a_rows), batch(b_rows)
    index.load([features_of([batch(held)])])

    ahead.start([b])
    early = await ahead.take([b])
    assert early is not None and early.generation == index.generation
    index.upsert(features_of([a]))  # A linked meanwhile
    changed, rows = index.changed_since(early.generation)
    assert changed == set(rows["unique_id"]) == {r["record_token"] for r in a_rows}
    gone, resent = a_rows[0]["record_token"], a_rows[1]["record_token"]
    index.remove([gone])
    index.upsert(features_of([batch([{**a_rows[1], "given_name": "Resent"}])]))
    changed, rows = index.changed_since(early.generation)
    assert changed == {r["record_token"] for r in a_rows}
    assert set(rows["unique_id"]) == changed - {gone}
    assert rows.loc[rows["unique_id"] == resent, "given_name"].tolist() == ["RESENT"]

    b_features = features_of([b])
    fresh = set(b_features["unique_id"])
    got = await ahead.pairs(early, b_features, fresh)
    now = select(index.score(b_features), fresh, set())
    assert ahead.used == 1
    assert as_dict(got) == as_dict(now)
    # some of B's pairs are with A's records, found only by the catch-up scoring
    a_tokens = {r["record_token"] for r in a_rows}
    assert got["unique_id_r"].isin(a_tokens).sum() >= 10
    assert not early.pairs["unique_id_r"].isin(a_tokens).any()


async def test_no_scores_ahead_or_a_stale_index_scores_now(rows):
    model = LinkageModel.from_json(MODEL.read_text())
    index = LinkageIndex(model)
    index.load([features_of([batch(rows[:-100])])])
    ahead = ScoreAhead(index, features_of)
    group = [batch(rows[-100:])]
    features = features_of(group)
    fresh = set(features["unique_id"])
    expected = as_dict(select(index.score(features), fresh, set()))

    assert await ahead.take(group) is None  # never started
    assert as_dict(await ahead.pairs(None, features, fresh)) == expected
    ahead.start(group)
    early = await ahead.take(group)
    index.load([])  # a bulk load: changes before it are not known
    assert index.changed_since(early.generation) is None
    assert as_dict(await ahead.pairs(early, features, fresh)) == expected
    assert ahead.used == 0


async def test_only_the_latest_groups_are_kept(rows):
    index = LinkageIndex(LinkageModel.from_json(MODEL.read_text()))
    index.load([features_of([batch(rows[:200])])])
    ahead = ScoreAhead(index, features_of)
    groups = [[batch(rows[200 + 10 * i:210 + 10 * i])] for i in range(4)]
    for group in groups:
        ahead.start(group)
    assert [await ahead.take(g) is not None for g in groups] == [False, False, True, True]


async def test_scores_ahead_run_one_at_a_time_unless_a_call_waits_for_them(rows):
    """The group fetched ahead waits for the scoring before it (the first group of a
    burst, which its call waits for) to end; a call waiting for a queued group starts it."""
    index = LinkageIndex(LinkageModel.from_json(MODEL.read_text()))
    index.load([features_of([batch(rows[:200])])])
    release = threading.Event()
    started: list[str] = []

    def features(batches):
        started.append(batches[0].batch_id)
        if len(started) == 1:
            assert release.wait(10)
        return features_of(batches)

    ahead = ScoreAhead(index, features)
    first, second = [batch(rows[200:220])], [batch(rows[220:240])]
    ahead.start(first)
    ahead.start(second)
    await asyncio.sleep(0.3)
    assert started == [first[0].batch_id]  # the second waits its turn
    release.set()
    assert await ahead.take(first) is not None
    assert await ahead.take(second) is not None
    assert started == [first[0].batch_id, second[0].batch_id]

    release.clear()
    started.clear()
    third, fourth = [batch(rows[240:260])], [batch(rows[260:280])]
    ahead.start(third)
    ahead.start(fourth)
    waiting = asyncio.create_task(ahead.take(fourth))  # its call waits: no turn to wait
    await asyncio.sleep(0.3)
    assert started == [third[0].batch_id, fourth[0].batch_id]
    assert await waiting is not None  # while the third is still held up
    release.set()
    assert await ahead.take(third) is not None


def test_select_puts_the_new_record_on_the_left_and_drops_changed():
    scored = pd.DataFrame({"unique_id_l": ["held1", "new1", "new1", "resent"],
                           "unique_id_r": ["new2", "held2", "changed", "new1"],
                           "match_probability": [0.9, 0.8, 0.7, 0.95]})
    out = select(scored, {"new1", "new2"}, {"changed"})
    assert list(zip(out["unique_id_l"], out["unique_id_r"], strict=True)) == [
        ("new2", "held1"), ("new1", "held2"), ("new1", "resent")]
