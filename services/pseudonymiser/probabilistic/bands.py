"""Decision bands on the match probability, and clustering of linked pairs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

LINK, REVIEW, NO_LINK = "link", "review", "no_link"


@dataclass(frozen=True)
class Thresholds:
    """link: p >= link; clerical review: review <= p < link; no link below review."""

    link: float = 0.9
    review: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.review <= self.link <= 1.0:
            raise ValueError("thresholds must satisfy 0 <= review <= link <= 1")

    def band(self, probability: float) -> str:
        if probability >= self.link:
            return LINK
        if probability >= self.review:
            return REVIEW
        return NO_LINK


def assign_bands(probabilities: pd.Series, thresholds: Thresholds) -> pd.Series:
    return probabilities.map(thresholds.band).astype(object)


def clusters(ids: Iterable[str], pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Connected components: record id -> cluster id (the smallest member id)."""
    parent: dict[str, str] = {i: i for i in ids}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {i: find(i) for i in list(parent)}


def cluster_links(ids: Iterable[str], scored: pd.DataFrame, threshold: float) -> dict[str, str]:
    """Cluster the linked pairs of a `predict` frame: probability >= `threshold` and not
    held back by the twin guard."""
    linked = scored[scored["match_probability"] >= threshold]
    if "twin_guard" in linked:
        linked = linked[~linked["twin_guard"].astype(bool)]
    return clusters(ids, zip(linked["unique_id_l"], linked["unique_id_r"], strict=True))
