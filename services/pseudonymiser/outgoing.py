"""What the pseudonymiser sends other slices, through its outbox: re-assignments with
the merges and splits behind them, in parts, and opt-outs resolved."""

from __future__ import annotations

from itertools import zip_longest

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import bus, subjects
from services.common import messages as m
from services.pseudonymiser.repository import chunks
from services.pseudonymiser.service import Outcome

ASSIGNMENTS_PER_MESSAGE = 500
# merges and splits a message carries, counted in pseudonyms (a merge names its survivor
# and every person it absorbed): a large re-link's merges in one message would pass
# NATS's payload limit
CHANGE_PSEUDONYMS_PER_MESSAGE = 5000


def change_parts(changes: list[m.ClusterChange]) -> list[list[m.ClusterChange]]:
    """Consecutive parts of at most CHANGE_PSEUDONYMS_PER_MESSAGE pseudonyms (a larger
    change is a part of its own)."""
    parts: list[list[m.ClusterChange]] = []
    weight = 0
    for change in changes:
        size = 1 + len(change.others)
        if not parts or weight + size > CHANGE_PSEUDONYMS_PER_MESSAGE:
            parts.append([])
            weight = 0
        parts[-1].append(change)
        weight += size
    return parts


def publish(outbox: bus.Outbox, session: AsyncSession, outcome: Outcome) -> None:
    """Re-assignments and the merges and splits behind them in parts (the changes
    first), then resolutions."""
    for assignments, changes in zip_longest(
            chunks(outcome.assignments, ASSIGNMENTS_PER_MESSAGE),
            change_parts(outcome.changes), fillvalue=[]):
        outbox.add(session, subjects.ASSIGNMENTS,
                   m.AssignmentBatch(assignments=assignments, changes=changes))
    for resolved in outcome.resolved:
        outbox.add(session, subjects.RESOLVED, resolved)
