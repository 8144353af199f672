"""An outcome's assignments and cluster changes go out in messages NATS accepts."""

from __future__ import annotations

import pytest

from services.common import bus, subjects
from services.common import messages as m
from services.pseudonymiser.models import Outbox
from services.pseudonymiser.outgoing import (
    ASSIGNMENTS_PER_MESSAGE,
    CHANGE_PSEUDONYMS_PER_MESSAGE,
    publish,
)
from services.pseudonymiser.service import Outcome


class Session:
    def __init__(self):
        self.rows = []

    def add(self, row):
        self.rows.append(row)


def sent(outcome: Outcome) -> list[m.AssignmentBatch]:
    session = Session()
    publish(bus.Outbox(Outbox), session, outcome)
    assert all(r.subject == subjects.ASSIGNMENTS.subject for r in session.rows)
    assert all(len(r.payload) <= subjects.MAX_PAYLOAD for r in session.rows)
    return [m.AssignmentBatch.model_validate_json(r.payload) for r in session.rows]


def test_a_full_relink_s_merges_are_split_across_messages():
    # about the re-link of 1M held: 269,491 merges in one message were 33 MB
    changes = [m.ClusterChange(kind="merge", survivor=f"p_{i:038d}", reason="relink",
                               others=[f"p_{i:030d}{k:08d}" for k in range(1 + i % 3)])
               for i in range(60_000)]
    changes.append(m.ClusterChange(kind="merge", survivor="p_big", reason="relink",
                                   others=[f"p_big{k}" for k in range(12_000)]))
    assignments = [m.Assignment(record_token=f"r_{i}", level="person", person=f"p_{i}",
                                version=1) for i in range(1_200)]
    batches = sent(Outcome(assignments=assignments, changes=changes))
    assert [c for b in batches for c in b.changes] == changes
    assert [a for b in batches for a in b.assignments] == assignments
    assert all(len(b.assignments) <= ASSIGNMENTS_PER_MESSAGE for b in batches)
    for b in batches:  # a change larger than a message's share travels alone
        weight = sum(1 + len(c.others) for c in b.changes)
        assert weight <= CHANGE_PSEUDONYMS_PER_MESSAGE or len(b.changes) == 1
    assert len(batches) > 20


def test_small_outcomes_are_one_message_and_empty_ones_none():
    change = m.ClusterChange(kind="split", survivor="p_a", others=["p_b"], reason="review")
    one = m.Assignment(record_token="r_1", level="person", person="p_a", version=2)
    assert sent(Outcome(assignments=[one], changes=[change])) == [
        m.AssignmentBatch(assignments=[one], changes=[change])]
    assert sent(Outcome()) == []


def test_the_outbox_refuses_a_message_nats_would_refuse():
    huge = m.AssignmentBatch(assignments=[], changes=[m.ClusterChange(
        kind="merge", survivor="p_x", reason="relink", others=["p_" + "y" * 40] * 250_000)])
    with pytest.raises(bus.MessageTooLarge):
        bus.Outbox(Outbox).add(Session(), subjects.ASSIGNMENTS, huge)
