"""Disclosure control for counts released together (docs/disclosure.md).

A release is a list of counts, each the number of units (people, households, events) in a
set. Primary suppression hides every count from 1 to k-1. Secondary suppression then hides
more counts until none of these can be worked out exactly from the counts shown, by any sum
or difference of them (totals, margins, overlapping counts):

- a hidden count;
- a group the counts separate (the units in some counts and not in the others: the cells of
  their Venn diagram) holding 1 to k-1 units;
- the difference between two shown counts, one of a subset of the other's units, when it is
  1 to k-1.

Derivability is linear algebra over the Venn cells: a quantity can be worked out exactly
if and only if its vector lies in the row space of the shown counts' vectors. A release
holds hundreds of counts, so dense linear algebra from numpy does it in well under a second;
the general cell-suppression problem (optimal patterns by integer programming, as in
tau-argus) would need a solver for no gain at this size.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, Field

RULE = ("counts from 1 to k-1 are hidden; further counts are hidden until no hidden count, "
        "no group of 1 to k-1 the counts separate and no difference of 1 to k-1 between a "
        "count and one it contains can be worked out from the counts shown")


class DisclosureNote(BaseModel):
    """What was done to the counts of one response, so that a reader can tell a hidden count
    from a missing one (SATRE 3.3.09: the criteria travel with the output)."""

    rule: str = Field(default=RULE, description="The rule applied to every count released.")
    threshold: int = Field(description="k: the smallest non-zero count shown.")
    counts: int = Field(description="Counts in the response the rule was applied to.")
    hidden: int = Field(description="Counts hidden: shown as null.")
    secondary: int = Field(description="Of those, hidden only so that others stay hidden.")


@dataclass(frozen=True)
class Protected:
    """The outcome of protecting one release: which counts to show."""

    values: tuple[int, ...]
    hidden: tuple[bool, ...]
    primary: int
    threshold: int

    def shown(self, index: int) -> int | None:
        return None if self.hidden[index] else self.values[index]


def note(*releases: Protected) -> DisclosureNote:
    """One note for the releases protected for one response (all under the same k)."""
    hidden = sum(sum(r.hidden) for r in releases)
    return DisclosureNote(threshold=releases[0].threshold,
                          counts=sum(len(r.values) for r in releases), hidden=hidden,
                          secondary=hidden - sum(r.primary for r in releases))


def protect(counts: Sequence[Collection[Hashable]], sizes: Mapping[Hashable, int], k: int, *,
            also_hide: Collection[int] = (), rank: Mapping[int, int] | None = None
            ) -> Protected:
    """Which of `counts` (each a set of unit keys; a unit weighs `sizes[unit]`) to hide.

    `also_hide` are hidden from the start whatever their size (for instance an event count
    whose persons count is small). For secondary suppression, counts of a higher `rank`
    (default 0) are hidden only when no lower-ranked count would do: totals, and the counts
    a reader came for, outrank the breakdowns."""
    matrix, weights = _venn(counts, sizes)
    values = matrix @ weights
    hidden = (values >= 1) & (values < k)
    primary = int(hidden.sum())
    hidden[list(also_hide)] = True
    protected = hidden.copy()  # these must stay out of reach; secondary ones need not
    ranks = np.zeros(len(counts), dtype=int)
    for i, r in (rank or {}).items():
        ranks[i] = r
    while True:
        chosen = _secondary(matrix, weights, values, hidden, protected, ranks, k)
        if not chosen:
            break
        hidden[list(chosen)] = True
    return Protected(tuple(int(v) for v in values), tuple(bool(h) for h in hidden), primary, k)


def _venn(counts: Sequence[Collection[Hashable]], sizes: Mapping[Hashable, int]
          ) -> tuple[np.ndarray, np.ndarray]:
    """Counts x Venn cells (0/1) and the units in each cell: units no count tells apart are
    one cell, so the matrix is as small as the release allows."""
    signature: dict[Hashable, int] = {}
    for i, members in enumerate(counts):
        for unit in members:
            signature[unit] = signature.get(unit, 0) | (1 << i)
    cells: dict[int, int] = {}
    for unit, sig in signature.items():
        if sizes.get(unit, 0) > 0:
            cells[sig] = cells.get(sig, 0) + sizes[unit]
    sigs = list(cells)
    matrix = np.zeros((len(counts), len(sigs)))
    for j, sig in enumerate(sigs):
        for i in range(len(counts)):
            if sig >> i & 1:
                matrix[i, j] = 1.0
    return matrix, np.array([cells[s] for s in sigs], dtype=float)


class _Span:
    """What the shown counts span, from the eigenvectors of their Gram matrix (counts x
    counts, so the cost grows with the counts released, not with the Venn cells)."""

    def __init__(self, shown: np.ndarray):
        self.shown = shown
        gram = shown @ shown.T
        w, v = np.linalg.eigh(gram) if shown.shape[0] else (np.zeros(0), np.zeros((0, 0)))
        big = w > 1e-9 * max(1.0, float(w.max(initial=0.0)))
        self.w, self.v = w[big], v[:, big]
        self.basis = (self.v.T @ shown) / np.sqrt(self.w)[:, None]  # orthonormal rows

    def derivable(self, vectors: np.ndarray) -> np.ndarray:
        """For each row of `vectors`, whether the shown counts give it exactly."""
        if vectors.shape[0] == 0:
            return np.zeros(0, dtype=bool)
        rest = vectors - (vectors @ self.basis.T) @ self.basis
        size = np.maximum(1.0, np.linalg.norm(vectors, axis=1))
        return np.linalg.norm(rest, axis=1) <= 1e-6 * size

    def essential(self) -> np.ndarray:
        """For each shown count, whether hiding it narrows what the shown counts give (it
        is not itself a combination of the others)."""
        return np.isclose((self.v ** 2).sum(axis=1), 1.0, atol=1e-6)

    def combination(self, vectors: np.ndarray) -> np.ndarray:
        """For each row of `vectors`, the least-squares weights of the shown counts that
        make it up."""
        return ((vectors @ self.shown.T) @ self.v / self.w) @ self.v.T


def _secondary(matrix: np.ndarray, weights: np.ndarray, values: np.ndarray,
               hidden: np.ndarray, protected: np.ndarray, ranks: np.ndarray, k: int
               ) -> set[int]:
    """Counts to hide next: for each quantity that can still be worked out, one shown count
    its derivation uses (the lowest-ranked, then the smallest non-zero one)."""
    shown_idx = np.flatnonzero(~hidden)
    span = _Span(matrix[shown_idx])
    # a count hidden only for others' sake may be worked out (it is 0 or at least k), but
    # then it counts as shown when looking for small differences
    hidden_rows = matrix[protected]
    targets: list[np.ndarray] = list(hidden_rows[span.derivable(hidden_rows)])
    others = np.flatnonzero(hidden & ~protected)
    worked_out = others[span.derivable(matrix[others])]
    known = np.concatenate([shown_idx, worked_out])
    small_cells = np.flatnonzero((weights >= 1) & (weights < k))
    cells = np.eye(matrix.shape[1])[small_cells]
    targets.extend(cells[span.derivable(cells)])
    targets.extend(_small_differences(matrix[known], values[known], k))
    if not targets:
        return set()
    chosen: set[int] = set()
    essential = span.essential()
    for coef in span.combination(np.array(targets)):
        pick = _breaker(shown_idx, values, ranks, essential, coef)
        if pick is not None:
            chosen.add(pick)
    return chosen


def _small_differences(shown: np.ndarray, values: np.ndarray, k: int) -> list[np.ndarray]:
    """Pairs of known counts, one within the other, whose difference is 1 to k-1."""
    overlap = shown @ shown.T
    size = shown.sum(axis=1)
    inside = np.isclose(overlap, size[:, None])  # row i's cells all in column j's count
    diff = values[None, :] - values[:, None]
    small = inside & (diff >= 1) & (diff < k)
    return [shown[j] - shown[i] for i, j in zip(*np.nonzero(small), strict=True)]


def _breaker(shown_idx: np.ndarray, values: np.ndarray, ranks: np.ndarray,
             essential: np.ndarray, coef: np.ndarray) -> int | None:
    """The shown count to hide so that a target can no longer be worked out the way the
    combination `coef` of shown counts works it out: the lowest-ranked, preferring one the
    others cannot stand in for (hiding a duplicate changes nothing until its twin goes too),
    then the smallest non-zero."""
    used = np.flatnonzero(np.abs(coef) > 1e-6)
    if used.size == 0:
        return None
    best = min(used, key=lambda j: (int(ranks[shown_idx[j]]), not essential[j],
                                    values[shown_idx[j]] == 0, values[shown_idx[j]], j))
    return int(shown_idx[best])
