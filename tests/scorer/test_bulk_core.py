"""The vectorised core gives, profile for profile, what the incremental core gives."""

from __future__ import annotations

import base64
import random
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
import yaml

from services.common import messages as m
from services.scorer import bulk
from services.scorer.rules import (
    Compiled,
    RuleDocument,
    holds,
    next_change,
    score,
    window_start,
)
from tests.scorer.conftest import REPO, TODAY

RULES = sorted((REPO / "services" / "scorer" / "rules").glob("*.yaml"))


def categories() -> dict[tuple[str, str], tuple[str, str | None]]:
    registry = yaml.safe_load((REPO / "deploy" / "config" / "registry.yaml").read_text())
    return {(ds["id"], code): (c["category"], c.get("headline"))
            for ds in registry["datasets"] for code, c in ds["codes"].items()}


def b64(values, dtype) -> str:
    return base64.b64encode(np.asarray(values, dtype=dtype).tobytes()).decode()


def chunk_of(profiles: list[list[tuple[tuple[str, str], date]]],
             level: str) -> m.ProfileExportChunk:
    table: dict[tuple[str, str], int] = {}
    codes, days, offsets = [], [], [0]
    for events in profiles:
        for code, on in events:
            codes.append(table.setdefault(code, len(table)))
            days.append(on.toordinal() - bulk.EPOCH)
        offsets.append(len(codes))
    n = len(profiles)
    return m.ProfileExportChunk(
        request_id="r", level=level, chunk=0, sequence=1, last=True, total_chunks=1,
        pseudonyms=[f"p{i}" for i in range(n)], codes=list(table), areas=["OL1"],
        agreement_sets=[[]], offsets=b64(offsets, "<i4"), event_codes=b64(codes, "<u2"),
        event_days=b64(days, "<i4"), profile_areas=b64([0] * n, "<i4"),
        profile_agreements=b64([0] * n, "<i4"))


@pytest.mark.parametrize("path", RULES, ids=lambda p: Path(p).stem)
def test_vectorised_counts_equal_the_incremental_core(path):
    rule = RuleDocument.model_validate(yaml.safe_load(path.read_text()))
    cats = categories()
    # a code of one dataset under another's name must not count as the other's
    codes = sorted(cats) + [("unregistered", "UNKNOWN1"), ("school-census", "GP1")]
    rng = random.Random(7)
    start = window_start(TODAY, rule.window)
    edges = [start, start + timedelta(days=1), TODAY, TODAY + timedelta(days=1)]
    profiles = []
    for _ in range(3000):
        k = rng.choice([0, 1, 3, 6, 12, 25])
        profiles.append([(rng.choice(codes), rng.choice(edges) if rng.random() < 0.2 else
                          TODAY - timedelta(days=rng.randrange(-30, 500))) for _ in range(k)])
    chunk = bulk.decode(chunk_of(profiles, rule.level))
    compiled = Compiled(rule, cats)
    c = bulk.count(chunk, compiled.key, rule, start, TODAY)
    active, points = bulk.holds(c, rule), bulk.scores(c, rule)
    for i, events in enumerate(profiles):
        want, oldest, future = compiled.evaluate(events, start, TODAY)
        got = (int(c.indicators[i]), int(c.health[i]), int(c.non_health[i]),
               int(c.headlines[i]))
        assert got == (want.indicators, want.health, want.non_health, want.headlines), i
        assert bulk.day_or_none(c.next_change[i]) == next_change(rule, oldest, future), i
        assert bool(active[i]) == holds(want, rule.conditions)
        assert float(points[i]) == score(want, rule.weights)


def test_a_chunk_with_bad_arrays_is_refused():
    good = chunk_of([[(("gp-p81001", "GP1"), TODAY)]], "person")
    with pytest.raises(ValueError):
        bulk.decode(good.model_copy(update={"event_days": b64([1, 2], "<i4")}))
    with pytest.raises(ValueError):
        bulk.decode(good.model_copy(update={"event_codes": b64([5], "<u2")}))
