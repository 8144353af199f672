"""The clerical review queue kept true as linkage changes: review-band pairs queued when
their records end up in different persons, pending pairs superseded when linkage has
resolved them, re-scored when a new model scores them."""

from __future__ import annotations

import logging

import pandas as pd
from sqlalchemy.ext.asyncio import AsyncSession

from services.pseudonymiser import repository as repo
from services.pseudonymiser.clusters import pair_key
from services.pseudonymiser.models import ReviewPair
from services.pseudonymiser.probabilistic import REVIEW

log = logging.getLogger("tessera.pseudonymiser")


async def queue_reviews(session: AsyncSession, scored: pd.DataFrame, owner: dict[str, int],
                        decided: set[tuple[str, str]], model_version: str) -> int:
    """Queue review-band pairs whose records ended up in different persons (`decided`:
    every pair already queued among these records)."""
    review = scored[scored["band"] == REVIEW]
    pairs = {}
    for a, b, p in zip(review["unique_id_l"], review["unique_id_r"],
                       review["match_probability"], strict=True):
        key = pair_key(a, b)
        if a in owner and b in owner and owner[a] != owner[b] and key not in decided:
            pairs[key] = float(p)
    return await repo.add_review_pairs(session, pairs, model_version, known=decided)


async def settle_by_owner(session: AsyncSession, pairs: list[ReviewPair], *,
                          gone: bool = True) -> None:
    """Supersede the pending pairs among `pairs` whose records are now one person (or,
    with `gone`, one of whose records is no longer held; a linkage call passes False: its
    new records have no person stored yet)."""
    if pairs:
        owner = await repo.person_of_tokens(session, {t for p in pairs
                                                      for t in (p.token_a, p.token_b)})
        if not gone:
            pairs = [p for p in pairs if p.token_a in owner and p.token_b in owner]
        await settle_pending(session, pairs, owner)


async def settle_pending(session: AsyncSession, pairs: list[ReviewPair],
                         owner: dict[str, int], scores: dict[tuple[str, str], float] | None = None,
                         model_version: str | None = None) -> dict[str, int]:
    """Keep pending pairs true after linkage changed: a pair whose records are now one
    person, or one of whose records is gone, is superseded; with `scores` (every pair the
    current model scored at or above the review band, as a re-link has them) a pair
    takes its new probability, or is superseded when it no longer reaches the band.
    Returns how many pairs each outcome had."""
    counts = {"same-person": 0, "record-gone": 0, "below-review": 0, "re-scored": 0}
    for pair in pairs:
        a, b = owner.get(pair.token_a), owner.get(pair.token_b)
        resolution = ("record-gone" if a is None or b is None
                      else "same-person" if a == b else None)
        if resolution is None and scores is not None:
            probability = scores.get((pair.token_a, pair.token_b))
            if probability is None:
                resolution = "below-review"
            elif probability != pair.probability or model_version != pair.model_version:
                pair.probability, pair.model_version = float(probability), model_version
                counts["re-scored"] += 1
        if resolution is not None:
            pair.status, pair.resolution = "superseded", resolution
            counts[resolution] += 1
    await session.flush()
    if any(counts.values()):
        log.info("review queue: %s", ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    return counts
