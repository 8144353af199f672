"""The in-process linkage-calls benchmark's helpers: the messages it builds are the
gateway's (tokens, chunks, dataset flags), and SQL statements are sorted by kind."""

from __future__ import annotations

import os

from benchmarks.linkage_calls import SqlTimes, messages
from benchmarks.linkage_speed import BATCH
from services.common.crypto import keyed_token


def test_messages_are_the_gateways_chunks_with_its_tokens_and_dataset_flags():
    key = os.urandom(32)
    rows = [("gp-p81001", "gp-p81001", {"local_id": f"g{i}", "given_name": "Amy",
                                         "family_name": "Hart", "date_of_birth": "1988-04-02"})
            for i in range(BATCH + 3)]
    rows += [("csc-la", "csc-contacts", {"local_id": "c1", "family_name": "Hart",
                                          "date_of_birth": "1988-04-02"})]
    msgs = messages(rows, key)
    assert [(b.dataset, len(b.rows)) for b in msgs] == [
        ("gp-p81001", BATCH), ("gp-p81001", 3), ("csc-contacts", 1)]
    assert msgs[0].one_record_per_person and not msgs[2].one_record_per_person
    assert msgs[0].agreement == "isa-oldham-early-help-2026"
    assert msgs[1].rows[0].record_token == keyed_token(key, "gp-p81001", "gp-p81001",
                                                       f"g{BATCH}", prefix="r_")
    assert len({b.batch_id for b in msgs}) == len(msgs)


def test_sql_statements_are_grouped_by_verb_and_table():
    assert SqlTimes.kind('INSERT INTO identity_records (a) VALUES (?)') == (
        "INSERT identity_records")
    assert SqlTimes.kind('SELECT persons.id FROM persons WHERE persons.id IN (?)') == (
        "SELECT persons")
    assert SqlTimes.kind('UPDATE "persons" SET household_id=?') == "UPDATE persons"
