"""The vectorised evaluation core for bulk re-scores: a chunk of profiles at a time.

Pure functions over numpy arrays, no SQL and no I/O. `count` gives, for every profile of
a chunk, exactly what rules.Compiled.evaluate gives for one profile: distinct indicators
in the window (start, today], how many of them are health (an indicator is health when
one of its codes in the window is), distinct headline problems, the latest in-window day
of the indicator that leaves first, and the earliest selected event after today.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from services.common import messages as m
from services.scorer.rules import CodeKey, RuleDocument, leaves_on, score

EPOCH = date(1970, 1, 1).toordinal()
NONE = np.iinfo(np.int64).max  # "no day" in day arrays


def _array(text: str, dtype: str, count: int | None = None) -> np.ndarray:
    out = np.frombuffer(base64.b64decode(text, validate=True), dtype=dtype)
    if count is not None and len(out) != count:
        raise ValueError("export chunk arrays have the wrong length")
    return out


@dataclass
class Chunk:
    level: str
    pseudonyms: list[str]
    offsets: np.ndarray       # int64, n + 1
    event_codes: np.ndarray   # int64 index into codes
    event_days: np.ndarray    # int64 days since 1970-01-01
    codes: list[CodeKey]
    areas: np.ndarray         # object: each profile's area
    agreement_sets: list[tuple[str, ...]]
    agreement_at: np.ndarray  # each profile's index into agreement_sets
    sequence: int             # the linker's, for every profile of the chunk

    @property
    def n(self) -> int:
        return len(self.pseudonyms)

    def profiles(self, wanted: set[str]) -> list[m.Profile]:
        """The chunk's profiles of these pseudonyms, as changed-profile messages carry them
        (the few a cohort follows, not the whole chunk)."""
        epoch = date(1970, 1, 1)
        out = []
        for i, pseudonym in enumerate(self.pseudonyms):
            if pseudonym not in wanted:
                continue
            lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
            out.append(m.Profile(
                pseudonym=pseudonym, level=self.level, sequence=self.sequence,
                area=self.areas[i],
                agreements=list(self.agreement_sets[int(self.agreement_at[i])]),
                events=[m.ProfileEvent(dataset=self.codes[c][0], code=self.codes[c][1],
                                       occurred_on=epoch + timedelta(days=int(d)))
                        for c, d in zip(self.event_codes[lo:hi], self.event_days[lo:hi],
                                        strict=True)]))
        return out


def decode(msg: m.ProfileExportChunk) -> Chunk:
    """Decode and check a chunk (lengths and indexes), so a bad one fails before writing."""
    n = len(msg.pseudonyms)
    offsets = _array(msg.offsets, "<i4", n + 1).astype(np.int64)
    events = int(offsets[-1]) if n else 0
    if n and (offsets[0] != 0 or np.any(np.diff(offsets) < 0)):
        raise ValueError("export chunk offsets are not ascending")
    codes = _array(msg.event_codes, "<u2", events).astype(np.int64)
    days = _array(msg.event_days, "<i4", events).astype(np.int64)
    areas_at = _array(msg.profile_areas, "<i4", n)
    agreements_at = _array(msg.profile_agreements, "<i4", n)
    if (events and codes.max() >= len(msg.codes)) or (n and (
            areas_at.min() < 0 or areas_at.max() >= len(msg.areas)
            or agreements_at.min() < 0 or agreements_at.max() >= len(msg.agreement_sets))):
        raise ValueError("export chunk index out of range")
    area_table = np.empty(len(msg.areas), dtype=object)
    area_table[:] = msg.areas
    sets = [tuple(sorted(set(s))) for s in msg.agreement_sets]
    return Chunk(msg.level, list(msg.pseudonyms), offsets, codes, days,
                 [tuple(c) for c in msg.codes],
                 area_table[areas_at] if n else np.empty(0, dtype=object), sets,
                 agreements_at.astype(np.int64), msg.sequence)


@dataclass
class Counted:
    indicators: np.ndarray
    health: np.ndarray
    non_health: np.ndarray
    headlines: np.ndarray
    next_change: np.ndarray  # days since epoch, NONE where nothing changes by itself


def _first_of_runs(sorted_keys: np.ndarray) -> np.ndarray:
    if not len(sorted_keys):
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


def count(chunk: Chunk, key: dict[CodeKey, tuple[str, bool, str | None]], rule: RuleDocument,
          start: date, today: date) -> Counted:
    """Counts of every profile of the chunk under one compiled rule (Compiled.key)."""
    n = chunk.n
    names: dict[str, int] = {}
    headline_ids: dict[str, int] = {}
    indicator_of = np.full(len(chunk.codes) + 1, -1, dtype=np.int64)
    health_of = np.zeros(len(chunk.codes) + 1, dtype=bool)
    headline_of = np.full(len(chunk.codes) + 1, -1, dtype=np.int64)
    for j, code in enumerate(chunk.codes):
        k = key.get(code)
        if k is not None:
            indicator_of[j] = names.setdefault(k[0], len(names))
            health_of[j] = k[1]
            if k[2]:
                headline_of[j] = headline_ids.setdefault(k[2], len(headline_ids))
    profile = np.repeat(np.arange(n, dtype=np.int64), np.diff(chunk.offsets))
    codes, days = chunk.event_codes, chunk.event_days
    indicator = indicator_of[codes]
    selected = indicator >= 0
    s, t = start.toordinal() - EPOCH, today.toordinal() - EPOCH
    inside = selected & (days > s) & (days <= t)
    later = selected & (days > t)

    width = max(1, len(names))
    p_in, c_in, d_in = profile[inside], codes[inside], days[inside]
    pair = p_in * width + indicator[inside]
    order = np.lexsort((d_in, pair))
    pair_sorted, day_sorted = pair[order], d_in[order]
    last = np.r_[pair_sorted[1:] != pair_sorted[:-1], True] if len(pair_sorted) else (
        np.empty(0, dtype=bool))
    pairs, last_day = pair_sorted[last], day_sorted[last]
    owner = pairs // width
    indicators = np.bincount(owner, minlength=n)
    health = np.bincount(np.unique(pair[health_of[c_in]]) // width, minlength=n)
    hl = headline_of[c_in]
    hw = max(1, len(headline_ids))
    headlines = np.bincount(np.unique(p_in[hl >= 0] * hw + hl[hl >= 0]) // hw, minlength=n)

    oldest = np.full(n, NONE, dtype=np.int64)
    starts = _first_of_runs(owner)
    if len(starts):
        oldest[owner[starts]] = np.minimum.reduceat(last_day, starts)
    future = np.full(n, NONE, dtype=np.int64)
    np.minimum.at(future, profile[later], days[later])
    leave = np.full(n, NONE, dtype=np.int64)
    has = oldest != NONE
    if has.any():
        unique = np.unique(oldest[has])
        table = np.array([leaves_on(date.fromordinal(EPOCH + int(u)), rule.window).toordinal()
                          - EPOCH for u in unique], dtype=np.int64)
        leave[has] = table[np.searchsorted(unique, oldest[has])]
    return Counted(indicators, health, indicators - health, headlines,
                   np.minimum(leave, future))


def holds(c: Counted, rule: RuleDocument) -> np.ndarray:
    k = rule.conditions
    return ((c.indicators >= k.min_indicators) & (c.health >= k.min_health)
            & (c.non_health >= k.min_non_health) & (c.headlines >= k.min_headlines))


def scores(c: Counted, rule: RuleDocument) -> np.ndarray:
    """rules.score for every profile, computed once per distinct combination of counts
    (so it rounds exactly as the incremental path does)."""
    from services.scorer.rules import Counts

    if not len(c.indicators):
        return np.empty(0, dtype=np.float64)
    stacked = np.stack([c.indicators, c.health, c.non_health, c.headlines], axis=1)
    unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
    values = np.array([score(Counts(*map(int, u)), rule.weights) for u in unique],
                      dtype=np.float64)
    return values[inverse.reshape(-1)]


def day_or_none(value: int) -> date | None:
    return None if value == NONE else date.fromordinal(EPOCH + int(value))
